package io.github.durablefunctions.samples;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.durablefunctions.azurestorage.testing.AzuriteExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Matchmaking with entity locks, end to end on Azurite: two matchmakers that want the same player run at once; the
 * locks make exactly one of them pair the player, and neither deadlocks.
 */
@ExtendWith(AzuriteExtension.class)
class MatchmakingIT {
    private static SampleHost host;

    @BeforeAll
    static void startHost() throws Exception {
        host = new SampleHost("MatchmakingIT", AzuriteExtension.connectionString(), Map.of()).start();
    }

    @AfterAll
    static void stopHost() throws Exception {
        if (host != null) {
            host.close();
        }
    }

    private static JsonNode player(String name) throws Exception {
        return Http.json(Http.get(host.baseUrl() + "/runtime/webhooks/durabletask/entities/Player/" + name));
    }

    @Test
    void twoMatchmakersWantingTheSamePlayerPairHerOnlyOnce() throws Exception {
        // ben is wanted by both; players are taken in opposite orders to invite a deadlock
        String first = Http.start(host, "Matchmaking", "{\"players\":[\"ana\",\"ben\"]}");
        String second = Http.start(host, "Matchmaking", "{\"players\":[\"cara\",\"ben\"]}");

        JsonNode a = Http.awaitFinished(host, first, Duration.ofSeconds(60));
        JsonNode b = Http.awaitFinished(host, second, Duration.ofSeconds(60));
        assertThat(a.path("runtimeStatus").asText()).isEqualTo("Completed");
        assertThat(b.path("runtimeStatus").asText()).isEqualTo("Completed");

        JsonNode matched = a.path("output").path("outcome").asText().equals("Matched") ? a : b;
        JsonNode other = matched == a ? b : a;
        assertThat(matched.path("output").path("outcome").asText()).isEqualTo("Matched");
        assertThat(other.path("output").path("outcome").asText()).isEqualTo("Unavailable");

        String gameId = matched.path("output").path("gameId").asText();
        assertThat(gameId).startsWith("game-");
        assertThat(player("ben").path("gameId").asText()).isEqualTo(gameId);
        String partner = matched.path("output").path("players").get(0).asText();
        assertThat(player(partner).path("gameId").asText()).isEqualTo(gameId);
        // the loser's other player was never touched: it has no state (404) or is free
        String loser = other.path("output").path("players").get(0).asText();
        var loserState = Http.get(host.baseUrl() + "/runtime/webhooks/durabletask/entities/Player/" + loser);
        if (loserState.statusCode() == 200) {
            assertThat(Http.json(loserState).path("gameId").isNull()).isTrue();
        } else {
            assertThat(loserState.statusCode()).isEqualTo(404);
        }
        // the locks were released: the players answer signals again
        assertThat(Http.post(host.baseUrl() + "/runtime/webhooks/durabletask/entities/Player/ben?op=leave", null)
                .statusCode()).isEqualTo(202);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> player("ben").path("gameId").isNull());
    }

    @Test
    void aMatchmakingRequestWithoutTwoPlayersFails() throws Exception {
        String id = Http.start(host, "Matchmaking", "{\"players\":[\"solo\"]}");
        JsonNode done = Http.awaitStatus200(Http.instanceUrl(host, id, "?returnInternalServerErrorOnFailure=false"),
                Duration.ofSeconds(30));
        assertThat(done.path("runtimeStatus").asText()).isEqualTo("Failed");
        assertThat(done.path("output").asText()).contains("two different names");
    }
}
