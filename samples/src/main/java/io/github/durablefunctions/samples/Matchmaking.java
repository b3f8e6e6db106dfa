package io.github.durablefunctions.samples;

import io.github.durablefunctions.AbstractTaskEntity;
import io.github.durablefunctions.EntityCriticalSection;
import io.github.durablefunctions.EntityInstanceId;
import io.github.durablefunctions.Task;
import io.github.durablefunctions.TaskEntityOperation;
import io.github.durablefunctions.TaskOrchestrationContext;
import io.github.durablefunctions.azurefunctions.EntityTrigger;
import io.github.durablefunctions.azurefunctions.OrchestrationTrigger;
import com.microsoft.azure.functions.annotation.FunctionName;

import java.util.List;

/**
 * Entity locking (a critical section over two entities): the {@code Matchmaking} orchestration pairs two players
 * into a game only if both are free. It locks both {@code Player} entities, reads them, and has both join, with no
 * other orchestration or client able to touch either player in between; two matchmakers wanting the same player never
 * both get them, and never deadlock (locks are taken in one global order).
 *
 * <pre>
 * curl -i -X POST http://127.0.0.1:7071/api/orchestrators/Matchmaking -H 'Content-Type: application/json' \
 *      -d '{"players":["ana","ben"]}'
 * # output: {"outcome":"Matched","gameId":"game-...","players":["ana","ben"]} or "Unavailable" if one is in a game
 * curl -i http://127.0.0.1:7071/runtime/webhooks/durabletask/entities/Player/ben      # {"gameId":"game-..."}
 * curl -i -X POST 'http://127.0.0.1:7071/runtime/webhooks/durabletask/entities/Player/ben?op=leave'
 * </pre>
 */
public class Matchmaking {
    /** Which two players to pair. */
    public record MatchRequest(List<String> players) {
    }

    /** {@code outcome} is {@code Matched} (with the game) or {@code Unavailable}. */
    public record MatchResult(String outcome, String gameId, List<String> players) {
    }

    /** A player: the game they are in, or null when free. */
    public record PlayerState(String gameId) {
    }

    /** The player entity: {@code get}, {@code join(gameId)}, {@code leave}. */
    public static class Player extends AbstractTaskEntity<PlayerState> {
        @Override
        protected Class<PlayerState> getStateType() {
            return PlayerState.class;
        }

        @Override
        protected PlayerState initializeState(TaskEntityOperation operation) {
            return new PlayerState(null);
        }

        public PlayerState get() {
            return state;
        }

        public void join(String gameId) {
            if (state.gameId() != null) {
                throw new IllegalStateException("Already in game " + state.gameId());
            }
            state = new PlayerState(gameId);
        }

        public void leave() {
            state = new PlayerState(null);
        }
    }

    @FunctionName("Player")
    public Object player(@EntityTrigger(name = "operation") TaskEntityOperation operation) throws Exception {
        return new Player().run(operation);
    }

    @FunctionName("Matchmaking")
    public MatchResult matchmaking(@OrchestrationTrigger(name = "ctx") TaskOrchestrationContext ctx) {
        MatchRequest request = ctx.getInput(MatchRequest.class);
        if (request == null || request.players() == null || request.players().size() != 2
                || request.players().get(0).equalsIgnoreCase(request.players().get(1))) {
            throw new IllegalArgumentException("Matchmaking needs {\"players\":[two different names]}, got "
                    + request);
        }
        EntityInstanceId first = new EntityInstanceId("Player", request.players().get(0));
        EntityInstanceId second = new EntityInstanceId("Player", request.players().get(1));
        try (EntityCriticalSection lock = ctx.lockEntities(first, second).await()) {
            Task<PlayerState> a = ctx.callEntity(first, "get", PlayerState.class);
            Task<PlayerState> b = ctx.callEntity(second, "get", PlayerState.class);
            ctx.allOf(List.of(a, b)).await();
            if (a.await().gameId() != null || b.await().gameId() != null) {
                return new MatchResult("Unavailable", null, request.players());
            }
            String gameId = "game-" + ctx.newUUID();
            ctx.allOf(List.of(ctx.callEntity(first, "join", gameId), ctx.callEntity(second, "join", gameId)))
                    .await();
            return new MatchResult("Matched", gameId, request.players());
        }
    }
}
