package io.github.durablefunctions.host.http;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RouteTemplateTest {

    private static Map<String, String> match(String template, String path) {
        return RouteTemplate.parse(template).match(path).orElse(null);
    }

    @Test
    void extractsParameters() {
        assertThat(match("orchestrators/{functionName}", "orchestrators/HelloCities"))
                .containsExactlyEntriesOf(Map.of("functionName", "HelloCities"));
        assertThat(match("a/{x}/b/{y}", "a/1/b/2")).containsEntry("x", "1").containsEntry("y", "2");
        assertThat(match("orchestrators/{functionName}", "orchestrators")).isNull();
        assertThat(match("orchestrators/{functionName}", "orchestrators/a/b")).isNull();
    }

    @Test
    void literalsMatchIgnoringCaseButValuesKeepTheirCase() {
        assertThat(match("Orchestrators/{functionName}", "ORCHESTRATORS/HelloCities"))
                .containsEntry("functionName", "HelloCities");
        assertThat(match("orchestrators/{functionName}", "orchestrators/HelloCities"))
                .containsEntry("FUNCTIONNAME", "HelloCities");
    }

    @Test
    void optionalParametersMayBeAbsent() {
        RouteTemplate t = RouteTemplate.parse("orchestrators/{functionName}/{instanceId?}");
        assertThat(t.match("orchestrators/Hello")).get().isEqualTo(Map.of("functionName", "Hello"));
        assertThat(t.match("orchestrators/Hello/abc")).get()
                .isEqualTo(Map.of("functionName", "Hello", "instanceId", "abc"));
        assertThat(t.match("orchestrators/Hello/abc/def")).isEmpty();
    }

    @Test
    void defaultsFillAbsentParameters() {
        assertThat(match("pages/{page=1}", "pages")).containsEntry("page", "1");
        assertThat(match("pages/{page=1}", "pages/7")).containsEntry("page", "7");
    }

    @Test
    void catchAllTakesTheRestOfThePath() {
        assertThat(match("files/{*path}", "files/a/b/c.txt")).containsEntry("path", "a/b/c.txt");
        assertThat(match("files/{*path}", "files")).isEmpty();
    }

    @Test
    void constraintsFilterValues() {
        assertThat(match("items/{id:int}", "items/42")).containsEntry("id", "42");
        assertThat(match("items/{id:int}", "items/-7")).containsEntry("id", "-7");
        assertThat(match("items/{id:int}", "items/abc")).isNull();
        assertThat(match("items/{id:int}", "items/99999999999")).isNull();
        assertThat(match("items/{id:long}", "items/99999999999")).isNotNull();
        assertThat(match("items/{id:int:min(1)}", "items/0")).isNull();
        assertThat(match("items/{id:int:min(1)}", "items/1")).isNotNull();
        assertThat(match("items/{id:range(1,10)}", "items/11")).isNull();
        assertThat(match("items/{id:guid}", "items/0f8fad5b-d9cb-469f-a165-70867728950e")).isNotNull();
        assertThat(match("items/{id:guid}", "items/not-a-guid")).isNull();
        assertThat(match("items/{flag:bool}", "items/TRUE")).isNotNull();
        assertThat(match("items/{flag:bool}", "items/yes")).isNull();
        assertThat(match("items/{name:alpha:minlength(2):maxlength(4)}", "items/abc")).isNotNull();
        assertThat(match("items/{name:alpha:minlength(2):maxlength(4)}", "items/abcde")).isNull();
        assertThat(match("items/{name:alpha}", "items/ab1")).isNull();
        assertThat(match("items/{code:regex(^[a-z]{{2}}\\d+$)}", "items/AB12")).isNotNull();
        assertThat(match("items/{code:regex(^[a-z]{{2}}\\d+$)}", "items/A12")).isNull();
        assertThat(match("items/{d:datetime}", "items/2026-11-21")).isNotNull();
        assertThat(match("items/{d:datetime}", "items/yesterday")).isNull();
        assertThat(match("items/{x:double}", "items/1.5")).isNotNull();
        assertThat(match("items/{x:length(3)}", "items/abcd")).isNull();
    }

    @Test
    void optionalConstrainedParametersAreCheckedOnlyWhenPresent() {
        RouteTemplate t = RouteTemplate.parse("items/{id:int?}");
        assertThat(t.match("items")).isPresent();
        assertThat(t.match("items/5")).isPresent();
        assertThat(t.match("items/x")).isEmpty();
    }

    @Test
    void complexSegmentsMixLiteralsAndParameters() {
        assertThat(match("files/{name}.{ext}", "files/report.final.pdf"))
                .containsEntry("name", "report.final").containsEntry("ext", "pdf");
        assertThat(match("v{version:int}/status", "V2/status")).containsEntry("version", "2");
    }

    @Test
    void valuesArePercentDecodedAndSlashesIgnoredAtTheEnds() {
        assertThat(match("/greet/{name}", "/greet/J%C3%BCrgen%20M+/")).containsEntry("name", "Jürgen M+");
    }

    @Test
    void moreSpecificTemplatesHaveLowerPrecedence() {
        String literal = RouteTemplate.parse("orchestrators/start").precedence();
        String constrained = RouteTemplate.parse("orchestrators/{id:int}").precedence();
        String parameter = RouteTemplate.parse("orchestrators/{name}").precedence();
        String catchAll = RouteTemplate.parse("orchestrators/{*rest}").precedence();
        assertThat(literal).isLessThan(constrained);
        assertThat(constrained).isLessThan(parameter);
        assertThat(parameter).isLessThan(catchAll);
    }

    @Test
    void invalidTemplatesAreRejectedWithTheReason() {
        assertThatThrownBy(() -> RouteTemplate.parse("a/{id")).hasMessageContaining("unclosed '{'")
                .hasMessageContaining("'a/{id'");
        assertThatThrownBy(() -> RouteTemplate.parse("a/{id:integer}")).hasMessageContaining("unknown constraint");
        assertThatThrownBy(() -> RouteTemplate.parse("a/{id}/{ID}")).hasMessageContaining("more than once");
        assertThatThrownBy(() -> RouteTemplate.parse("a/{id?}/b")).hasMessageContaining("optional");
        assertThatThrownBy(() -> RouteTemplate.parse("a//b")).hasMessageContaining("empty segment");
        assertThatThrownBy(() -> RouteTemplate.parse("a/{*rest}/b")).hasMessageContaining("last segment");
        assertThatThrownBy(() -> RouteTemplate.parse("a/b?")).hasMessageContaining("'?'");
        assertThatThrownBy(() -> RouteTemplate.parse("a/{x:min(one)}")).hasMessageContaining("whole number");
    }
}
