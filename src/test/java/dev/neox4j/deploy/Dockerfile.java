package dev.neox4j.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A minimal Dockerfile reader for the deployment tests: joins continuation lines, drops comments and splits the
 * file into instructions grouped by build stage. Enough for the files in this repository, not a full parser.
 */
final class Dockerfile {

    /** One instruction, e.g. {@code ENTRYPOINT ["java", ...]}: keyword upper-cased, arguments as written. */
    record Instruction(String keyword, String arguments) {
    }

    /** One {@code FROM} stage and the instructions that follow it. */
    record Stage(String image, String alias, List<Instruction> instructions) {

        List<Instruction> all(String keyword) {
            return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
        }

        Optional<Instruction> last(String keyword) {
            List<Instruction> found = all(keyword);
            return found.isEmpty() ? Optional.empty() : Optional.of(found.getLast());
        }
    }

    private static final Pattern FROM = Pattern.compile("(?i)(?:--platform=\\S+\\s+)?(\\S+)(?:\\s+AS\\s+(\\S+))?");

    private final Path path;
    private final List<Stage> stages;

    private Dockerfile(Path path, List<Stage> stages) {
        this.path = path;
        this.stages = stages;
    }

    static Dockerfile read(Path path) throws IOException {
        List<String> logical = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String raw : Files.readAllLines(path)) {
            String line = raw.strip();
            if (current.isEmpty() && (line.isEmpty() || line.startsWith("#"))) {
                continue;
            }
            if (!current.isEmpty() && line.startsWith("#")) {
                continue; // comment inside a continued instruction
            }
            if (line.endsWith("\\")) {
                current.append(line, 0, line.length() - 1).append(' ');
            } else {
                current.append(line);
                logical.add(current.toString().strip());
                current.setLength(0);
            }
        }
        if (!current.isEmpty()) {
            logical.add(current.toString().strip());
        }
        List<Stage> stages = new ArrayList<>();
        List<Instruction> instructions = null;
        for (String line : logical) {
            int space = line.indexOf(' ');
            String keyword = (space < 0 ? line : line.substring(0, space)).toUpperCase(Locale.ROOT);
            String args = space < 0 ? "" : line.substring(space + 1).strip();
            if (keyword.equals("FROM")) {
                Matcher m = FROM.matcher(args);
                if (!m.matches()) {
                    throw new IllegalStateException(path + ": cannot read FROM " + args);
                }
                instructions = new ArrayList<>();
                stages.add(new Stage(m.group(1), m.group(2), instructions));
            } else if (instructions != null) {
                instructions.add(new Instruction(keyword, args));
            } else if (!keyword.equals("ARG")) {
                throw new IllegalStateException(path + ": " + keyword + " before the first FROM");
            }
        }
        if (stages.isEmpty()) {
            throw new IllegalStateException(path + ": no FROM");
        }
        return new Dockerfile(path, List.copyOf(stages));
    }

    Path path() {
        return path;
    }

    List<Stage> stages() {
        return stages;
    }

    /** The stage that makes the image: the last one. */
    Stage finalStage() {
        return stages.getLast();
    }

    /** The final stage's exec-form {@code ENTRYPOINT} as a list of words. */
    List<String> entrypoint() {
        Instruction entrypoint = finalStage().last("ENTRYPOINT")
                .orElseThrow(() -> new AssertionError(path + ": no ENTRYPOINT in the final stage"));
        return execForm(entrypoint.arguments());
    }

    /** The value a final-stage {@code ENV} sets for {@code name}, if any. */
    Optional<String> env(String name) {
        Optional<String> value = Optional.empty();
        Pattern kv = Pattern.compile("(?:^|\\s)" + Pattern.quote(name) + "=(\"(?:[^\"\\\\]|\\\\.)*\"|\\S*)");
        for (Instruction env : finalStage().all("ENV")) {
            Matcher m = kv.matcher(env.arguments());
            if (m.find()) {
                String v = m.group(1);
                value = Optional.of(v.startsWith("\"") ? v.substring(1, v.length() - 1) : v);
            }
        }
        return value;
    }

    /** Parses a JSON array of strings as Docker's exec form writes it. */
    static List<String> execForm(String json) {
        String s = json.strip();
        if (!s.startsWith("[") || !s.endsWith("]")) {
            throw new AssertionError("not the exec (JSON array) form: " + json);
        }
        List<String> words = new ArrayList<>();
        int i = 1;
        while (i < s.length() - 1) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c) || c == ',') {
                i++;
            } else if (c == '"') {
                StringBuilder word = new StringBuilder();
                i++;
                while (s.charAt(i) != '"') {
                    if (s.charAt(i) == '\\') {
                        i++;
                    }
                    word.append(s.charAt(i++));
                }
                words.add(word.toString());
                i++;
            } else {
                throw new AssertionError("unexpected '" + c + "' in " + json);
            }
        }
        return words;
    }
}
