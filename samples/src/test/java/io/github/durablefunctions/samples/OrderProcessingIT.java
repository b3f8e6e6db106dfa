package io.github.durablefunctions.samples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.durablefunctions.azurestorage.testing.AzuriteExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The order-processing workflow end to end over HTTP on Azurite: a good order is charged and confirmed; a declined
 * card triggers the compensating {@code ReleaseInventory} step; an order larger than the stock is never charged; an
 * invalid order is rejected before anything happens. The history shows which steps ran.
 */
@ExtendWith(AzuriteExtension.class)
class OrderProcessingIT {
    private static final String HUB = "OrderProcessingIT";
    private static SampleHost host;
    private static HubStorage storage;

    @BeforeAll
    static void startHost() throws Exception {
        host = new SampleHost(HUB, AzuriteExtension.connectionString(), Map.of()).start();
        storage = new HubStorage(AzuriteExtension.connectionString(), HUB);
    }

    @AfterAll
    static void stopHost() throws Exception {
        if (host != null) {
            host.close();
        }
    }

    private static JsonNode order(String orderId, String item, int quantity, String card) throws Exception {
        String id = Http.start(host, "ProcessOrder", "{\"orderId\":\"" + orderId + "\",\"item\":\"" + item
                + "\",\"quantity\":" + quantity + ",\"cardNumber\":\"" + card + "\",\"email\":\"ana@example.com\"}");
        JsonNode done = Http.awaitFinished(host, id, Duration.ofSeconds(60));
        assertThat(done.path("runtimeStatus").asText()).isEqualTo("Completed");
        return ((ObjectNode) done.path("output")).put("instanceId", id);
    }

    /** The activities the instance ran, in order (TaskScheduled names). */
    private static List<String> steps(JsonNode output) {
        return storage.history(output.path("instanceId").asText()).stream()
                .filter(e -> "TaskScheduled".equals(e.getProperty("EventType")))
                .map(e -> String.valueOf(e.getProperty("Name"))).toList();
    }

    @Test
    void aGoodOrderIsChargedAndConfirmed() throws Exception {
        JsonNode result = order("o-good", "teapot", 2, "4111-1111-1111-1111");
        assertThat(result.path("outcome").asText()).isEqualTo("Completed");
        assertThat(result.path("paymentId").asText()).startsWith("pay-");
        assertThat(result.path("detail").asText()).isEqualTo("confirmation sent to ana@example.com");
        assertThat(steps(result)).containsExactly("ValidateOrder", "ReserveInventory", "ChargePayment",
                "SendConfirmation");
    }

    @Test
    void aDeclinedPaymentReleasesTheReservedStock() throws Exception {
        JsonNode result = order("o-declined", "kettle", 3, "4000-0000-0000-0002");
        assertThat(result.path("outcome").asText()).isEqualTo("PaymentFailed");
        assertThat(result.path("detail").asText()).contains("card declined");
        assertThat(steps(result)).as("the compensating step ran; no confirmation was sent")
                .containsExactly("ValidateOrder", "ReserveInventory", "ChargePayment", "ReleaseInventory");
        // The stock is whole again: an order for all of it still succeeds.
        assertThat(order("o-after", "kettle", 10, "4111-1111-1111-1111").path("outcome").asText())
                .isEqualTo("Completed");
    }

    @Test
    void anOrderLargerThanTheStockIsNeverCharged() throws Exception {
        JsonNode result = order("o-big", "mug", 50, "4111-1111-1111-1111");
        assertThat(result.path("outcome").asText()).isEqualTo("OutOfStock");
        assertThat(steps(result)).containsExactly("ValidateOrder", "ReserveInventory");
    }

    @Test
    void anInvalidOrderIsRejectedFirst() throws Exception {
        JsonNode result = order("o-bad", "mug", 0, "4111-1111-1111-1111");
        assertThat(result.path("outcome").asText()).isEqualTo("Invalid");
        assertThat(steps(result)).containsExactly("ValidateOrder");
    }
}
