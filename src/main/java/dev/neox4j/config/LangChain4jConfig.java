package dev.neox4j.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Generation defaults of the LangChain4j model beans ({@code neox.langchain4j.*}), which run on the service's
 * engine next to the REST API. A request's {@code ChatRequestParameters} override them. The defaults are those
 * of the plain-Java builders ({@code dev.neox4j.langchain4j.NeoxModelBuilder}).
 */
@ConfigMapping(prefix = "neox.langchain4j")
public interface LangChain4jConfig {

    /** Sampling temperature; {@code 0} = greedy. */
    @WithDefault("0.8")
    double temperature();

    /** Tokens to generate at most per request. */
    @WithDefault("256")
    int maxTokens();

    /** Nucleus sampling mass in (0, 1]; {@code 1} = off. */
    @WithDefault("0.95")
    double topP();

    /** Keep the k most likely tokens; {@code 0} = off. */
    @WithDefault("40")
    int topK();

    /** Drop tokens below min-p times the top probability; {@code 0} = off. */
    @WithDefault("0.05")
    double minP();

    /** CTRL-style repetition penalty; {@code 1} = off. */
    @WithDefault("1.0")
    double repetitionPenalty();

    /** Seed of every request's random generator (reproducible sampling); absent = a fresh seed per request. */
    Optional<Long> seed();

    /** Stop strings added to every request (the chat models also stop at the next user turn). */
    Optional<List<String>> stop();

    /** Time limit of each request; absent = the engine's ({@code neox.request-timeout}). */
    Optional<Duration> timeout();
}
