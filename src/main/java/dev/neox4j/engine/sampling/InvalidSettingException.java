package dev.neox4j.engine.sampling;

/**
 * A request setting is out of range or does not fit the model. Carries the setting's name as the OpenAI API spells
 * it ({@code top_p}, {@code max_tokens}, {@code logit_bias}, {@code prompt}, ...) and the reason on its own, so that
 * each front end names the setting its own way: the REST API answers 400 with {@code param} set to
 * {@link #setting()}; the LangChain4j models throw an {@code InvalidRequestException} naming their parameter.
 */
public final class InvalidSettingException extends IllegalArgumentException {
    private final String setting;
    private final String reason;

    /**
     * @param setting the setting's API name ({@code top_p})
     * @param reason  what is wrong, without the name ({@code must be between 0 and 1, got 1.5})
     */
    public InvalidSettingException(String setting, String reason) {
        super("'" + setting + "' " + reason);
        this.setting = setting;
        this.reason = reason;
    }

    /** The setting's name as the OpenAI API spells it. */
    public String setting() {
        return setting;
    }

    /** What is wrong, without the setting's name. */
    public String reason() {
        return reason;
    }
}
