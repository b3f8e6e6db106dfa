package io.github.durablefunctions.host.http;

import java.math.BigDecimal;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * An HTTP trigger route template, matched like ASP.NET Core routing (which the Functions host uses): segments
 * separated by {@code /}; literal text matched ignoring case; parameters {@code {name}}, optional parameters
 * {@code {name?}}, defaults {@code {name=value}}, catch-all {@code {*rest}}; inline constraints
 * {@code {id:int}}, {@code {id:int:min(1)}}. Braces in literal text are written
 * doubled (<code>&#123;&#123;</code> and <code>&#125;&#125;</code>).
 *
 * <p>Constraints: {@code int}, {@code long}, {@code bool}, {@code guid}, {@code double}, {@code float},
 * {@code decimal}, {@code datetime}, {@code alpha}, {@code required}, {@code minlength(n)}, {@code maxlength(n)},
 * {@code length(n)}, {@code length(min,max)}, {@code min(n)}, {@code max(n)}, {@code range(min,max)},
 * {@code regex(expression)} (unanchored, ignoring case, as in ASP.NET).
 *
 * <p>Matching takes a path relative to the route prefix, still percent-encoded; parameter values are decoded.
 * Optional, default and catch-all parameters must be whole segments at the end of the template.
 */
public final class RouteTemplate {
    private final String template;
    private final Pattern pattern;
    private final List<RouteParameter> parameters;
    private final String precedence;

    private RouteTemplate(String template, Pattern pattern, List<RouteParameter> parameters, String precedence) {
        this.template = template;
        this.pattern = pattern;
        this.parameters = List.copyOf(parameters);
        this.precedence = precedence;
    }

    /** One {@code {...}} of the template. */
    private record RouteParameter(String name, String group, boolean optional, boolean catchAll, String defaultValue,
                                  List<Predicate<String>> constraints) {
    }

    /**
     * Parses a template.
     *
     * @param template e.g. {@code orchestrators/{functionName}/{instanceId?}}; a leading {@code /} is ignored
     * @throws IllegalArgumentException with the problem and the template, e.g. an unclosed brace, an unknown
     *                                  constraint, a repeated parameter name, an optional parameter in the middle
     */
    public static RouteTemplate parse(String template) {
        try {
            return new Parser(template).parse();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid route template '" + template + "': " + e.getMessage(), e);
        }
    }

    /**
     * Matches a path.
     *
     * @param path the request path after the route prefix, percent-encoded, with or without leading/trailing
     *             slashes
     * @return the parameter values (decoded; defaults filled in; absent optional ones left out), or empty if the
     *         path does not match or a constraint rejects a value
     */
    public Optional<Map<String, String>> match(String path) {
        String normalized = trimSlashes(path == null ? "" : path);
        Matcher m = pattern.matcher(normalized);
        if (!m.matches()) {
            return Optional.empty();
        }
        Map<String, String> values = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (RouteParameter p : parameters) {
            String raw = m.group(p.group);
            String value = raw == null || raw.isEmpty() ? p.defaultValue : decode(raw);
            if (value == null) {
                continue;
            }
            for (Predicate<String> constraint : p.constraints) {
                if (!constraint.test(value)) {
                    return Optional.empty();
                }
            }
            values.put(p.name, value);
        }
        return Optional.of(Collections.unmodifiableMap(values));
    }

    /** The template as given. */
    public String template() {
        return template;
    }

    /** The parameter names, in template order. */
    public List<String> parameterNames() {
        return parameters.stream().map(RouteParameter::name).toList();
    }

    /**
     * ASP.NET's inbound precedence as a sortable string: one digit per segment (1 literal, 2 mixed literal and
     * parameters, 3 constrained parameter, 4 parameter, 5 catch-all). Templates whose precedence sorts first are
     * tried first, so {@code orchestrators/start} wins over {@code orchestrators/{name}}.
     */
    public String precedence() {
        return precedence;
    }

    @Override
    public String toString() {
        return template;
    }

    private static String trimSlashes(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && s.charAt(start) == '/') {
            start++;
        }
        while (end > start && s.charAt(end - 1) == '/') {
            end--;
        }
        return s.substring(start, end);
    }

    /** Percent-decoding of a path value ({@code +} stays a plus, unlike form decoding). */
    private static String decode(String raw) {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        try {
            return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return raw;
        }
    }

    /** Parses one template into a regular expression with a named group per parameter. */
    private static final class Parser {
        private final String template;
        private final List<RouteParameter> parameters = new ArrayList<>();
        private final Map<String, Boolean> names = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);

        Parser(String template) {
            if (template == null) {
                throw new IllegalArgumentException("the template is null");
            }
            this.template = template;
        }

        RouteTemplate parse() {
            String body = trimSlashes(template.startsWith("~/") ? template.substring(1) : template);
            List<List<Object>> segments = segments(body);
            StringBuilder regex = new StringBuilder("^");
            StringBuilder precedence = new StringBuilder();
            boolean optionalSeen = false;
            for (int s = 0; s < segments.size(); s++) {
                List<Object> parts = segments.get(s);
                String separator = s == 0 ? "" : "/";
                if (parts.size() == 1 && parts.get(0) instanceof RouteParameter p
                        && (p.optional || p.catchAll || p.defaultValue != null)) {
                    if (p.catchAll && s != segments.size() - 1) {
                        throw new IllegalArgumentException("a catch-all parameter {*" + p.name
                                + "} must be the last segment");
                    }
                    optionalSeen = true;
                    String value = p.catchAll ? ".*" : "[^/]+";
                    regex.append("(?:").append(separator)
                            .append("(?<").append(p.group).append('>').append(value).append("))?");
                    precedence.append(p.catchAll ? '5' : p.constraints.isEmpty() ? '4' : '3');
                    continue;
                }
                if (optionalSeen) {
                    throw new IllegalArgumentException("only optional parameters may follow an optional parameter");
                }
                regex.append(separator);
                boolean hasLiteral = false;
                boolean hasParameter = false;
                for (int i = 0; i < parts.size(); i++) {
                    Object part = parts.get(i);
                    if (part instanceof String literal) {
                        hasLiteral = true;
                        regex.append(Pattern.quote(literal));
                    } else {
                        RouteParameter p = (RouteParameter) part;
                        if (p.optional || p.catchAll || p.defaultValue != null) {
                            throw new IllegalArgumentException("an optional, default or catch-all parameter must be"
                                    + " a whole segment: {" + p.name + "}");
                        }
                        if (i > 0 && parts.get(i - 1) instanceof RouteParameter) {
                            throw new IllegalArgumentException("two parameters must be separated by literal text");
                        }
                        hasParameter = true;
                        // Greedy, so the last literal occurrence separates values: ASP.NET matches complex
                        // segments from the right ({name}.{ext} on "a.b.c" gives name "a.b", ext "c").
                        regex.append("(?<").append(p.group).append(">[^/]+)");
                    }
                }
                if (hasLiteral && hasParameter) {
                    precedence.append('2');
                } else if (hasLiteral) {
                    precedence.append('1');
                } else {
                    RouteParameter p = (RouteParameter) parts.get(0);
                    precedence.append(p.constraints.isEmpty() ? '4' : '3');
                }
            }
            regex.append('$');
            Pattern pattern = Pattern.compile(regex.toString(), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
            return new RouteTemplate(template, pattern, parameters, precedence.toString());
        }

        /** Splits into segments of literal strings and parameters, honouring {{ and }} escapes. */
        private List<List<Object>> segments(String body) {
            List<List<Object>> segments = new ArrayList<>();
            if (body.isEmpty()) {
                return segments;
            }
            List<Object> parts = new ArrayList<>();
            StringBuilder literal = new StringBuilder();
            int i = 0;
            while (i < body.length()) {
                char c = body.charAt(i);
                char next = i + 1 < body.length() ? body.charAt(i + 1) : 0;
                if (c == '{' && next == '{' || c == '}' && next == '}') {
                    literal.append(c);
                    i += 2;
                } else if (c == '}') {
                    throw new IllegalArgumentException("unmatched '}' at position " + i);
                } else if (c == '{') {
                    int end = closingBrace(body, i + 1);
                    if (literal.length() > 0) {
                        parts.add(literal.toString());
                        literal.setLength(0);
                    }
                    parts.add(parameter(body.substring(i + 1, end).replace("}}", "}").replace("{{", "{")));
                    i = end + 1;
                } else if (c == '/') {
                    if (literal.length() > 0) {
                        parts.add(literal.toString());
                        literal.setLength(0);
                    }
                    if (parts.isEmpty()) {
                        throw new IllegalArgumentException("empty segment ('//')");
                    }
                    segments.add(parts);
                    parts = new ArrayList<>();
                    i++;
                } else if (c == '?' || c == '#') {
                    throw new IllegalArgumentException("'" + c + "' is only allowed inside a parameter, e.g. {id?}");
                } else {
                    literal.append(c);
                    i++;
                }
            }
            if (literal.length() > 0) {
                parts.add(literal.toString());
            }
            segments.add(parts);
            return segments;
        }

        private static int closingBrace(String body, int from) {
            int j = from;
            while (j < body.length()) {
                char c = body.charAt(j);
                if (c == '}') {
                    if (j + 1 < body.length() && body.charAt(j + 1) == '}') {
                        j += 2;
                        continue;
                    }
                    return j;
                }
                j++;
            }
            throw new IllegalArgumentException("unclosed '{'");
        }

        private RouteParameter parameter(String spec) {
            String rest = spec;
            boolean catchAll = false;
            if (rest.startsWith("**")) {
                catchAll = true;
                rest = rest.substring(2);
            } else if (rest.startsWith("*")) {
                catchAll = true;
                rest = rest.substring(1);
            }
            int nameEnd = 0;
            while (nameEnd < rest.length() && ":=?".indexOf(rest.charAt(nameEnd)) < 0) {
                nameEnd++;
            }
            String name = rest.substring(0, nameEnd).trim();
            if (name.isEmpty() || !name.matches("[A-Za-z_][A-Za-z0-9_.\\-]*")) {
                throw new IllegalArgumentException("invalid parameter name in {" + spec + "}");
            }
            if (names.put(name, Boolean.TRUE) != null) {
                throw new IllegalArgumentException("parameter '" + name + "' appears more than once");
            }
            rest = rest.substring(nameEnd);
            List<Predicate<String>> constraints = new ArrayList<>();
            while (rest.startsWith(":")) {
                int end = constraintEnd(rest);
                constraints.add(constraint(rest.substring(1, end), name));
                rest = rest.substring(end);
            }
            boolean optional = false;
            String defaultValue = null;
            if (rest.equals("?")) {
                optional = true;
            } else if (rest.startsWith("=")) {
                defaultValue = rest.substring(1);
            } else if (!rest.isEmpty()) {
                throw new IllegalArgumentException("unexpected '" + rest + "' in {" + spec + "}");
            }
            if (catchAll && optional) {
                throw new IllegalArgumentException("a catch-all parameter cannot be marked optional: {" + spec + "}");
            }
            RouteParameter p = new RouteParameter(name, "p" + parameters.size(), optional, catchAll, defaultValue,
                    constraints);
            parameters.add(p);
            return p;
        }

        /** The end (exclusive) of the constraint starting at {@code s.charAt(0) == ':'}. */
        private static int constraintEnd(String s) {
            int i = 1;
            while (i < s.length() && Character.isLetter(s.charAt(i))) {
                i++;
            }
            if (i < s.length() && s.charAt(i) == '(') {
                for (int j = i + 1; j < s.length(); j++) {
                    if (s.charAt(j) == ')' && (j + 1 == s.length() || ":?=".indexOf(s.charAt(j + 1)) >= 0)) {
                        return j + 1;
                    }
                }
                throw new IllegalArgumentException("unclosed '(' in constraint '" + s.substring(1) + "'");
            }
            return i;
        }

        private static Predicate<String> constraint(String text, String parameter) {
            int paren = text.indexOf('(');
            String name = (paren < 0 ? text : text.substring(0, paren)).toLowerCase(Locale.ROOT);
            String argument = paren < 0 ? null : text.substring(paren + 1, text.length() - 1);
            List<String> args = argument == null ? List.of() : List.of(argument.split(",", -1));
            String where = "constraint '" + text + "' of parameter '" + parameter + "'";
            switch (name) {
                case "int":
                    return v -> parses(() -> Integer.parseInt(v));
                case "long":
                    return v -> parses(() -> Long.parseLong(v));
                case "bool":
                    return v -> v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false");
                case "guid":
                    return RouteTemplate::isGuid;
                case "double":
                case "float":
                    return v -> parses(() -> Double.parseDouble(v)) && !v.matches(".*[a-zA-Z].*");
                case "decimal":
                    return v -> parses(() -> new BigDecimal(v));
                case "datetime":
                    return RouteTemplate::isDateTime;
                case "alpha":
                    return v -> v.matches("[A-Za-z]+");
                case "required":
                    return v -> !v.isEmpty();
                case "minlength":
                    long min = number(args, 1, where)[0];
                    return v -> v.length() >= min;
                case "maxlength":
                    long max = number(args, 1, where)[0];
                    return v -> v.length() <= max;
                case "length":
                    long[] bounds = args.size() == 1 ? number(args, 1, where) : number(args, 2, where);
                    return bounds.length == 1 ? v -> v.length() == bounds[0]
                            : v -> v.length() >= bounds[0] && v.length() <= bounds[1];
                case "min":
                    long least = number(args, 1, where)[0];
                    return v -> parses(() -> Long.parseLong(v)) && Long.parseLong(v) >= least;
                case "max":
                    long most = number(args, 1, where)[0];
                    return v -> parses(() -> Long.parseLong(v)) && Long.parseLong(v) <= most;
                case "range":
                    long[] range = number(args, 2, where);
                    return v -> parses(() -> Long.parseLong(v)) && Long.parseLong(v) >= range[0]
                            && Long.parseLong(v) <= range[1];
                case "regex":
                    if (argument == null) {
                        throw new IllegalArgumentException(where + " needs an expression: regex(...)");
                    }
                    try {
                        Pattern regex = Pattern.compile(argument, Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
                        return v -> regex.matcher(v).find();
                    } catch (PatternSyntaxException e) {
                        throw new IllegalArgumentException(where + ": invalid regular expression: "
                                + e.getDescription());
                    }
                default:
                    throw new IllegalArgumentException("unknown " + where);
            }
        }

        private static long[] number(List<String> args, int count, String where) {
            if (args.size() != count) {
                throw new IllegalArgumentException(where + " needs " + count + " number(s) in parentheses");
            }
            long[] values = new long[count];
            for (int i = 0; i < count; i++) {
                try {
                    values[i] = Long.parseLong(args.get(i).trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(where + ": '" + args.get(i) + "' is not a whole number");
                }
            }
            return values;
        }
    }

    private static boolean parses(Runnable parse) {
        try {
            parse.run();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static boolean isGuid(String v) {
        String s = v;
        if (s.length() == 38 && (s.startsWith("{") && s.endsWith("}") || s.startsWith("(") && s.endsWith(")"))) {
            s = s.substring(1, 37);
        }
        if (s.length() == 32 && s.matches("[0-9a-fA-F]{32}")) {
            return true;
        }
        if (s.length() == 36 && s.matches("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")) {
            return parses(() -> UUID.fromString(v.length() == 38 ? v.substring(1, 37) : v));
        }
        return false;
    }

    private static boolean isDateTime(String v) {
        for (Runnable parse : List.<Runnable>of(() -> OffsetDateTime.parse(v), () -> LocalDateTime.parse(v),
                () -> LocalDate.parse(v))) {
            try {
                parse.run();
                return true;
            } catch (DateTimeParseException e) {
                // try the next format
            }
        }
        return false;
    }
}
