package io.github.durablefunctions.samples;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.annotation.FunctionName;
import io.github.durablefunctions.TaskFailedException;
import io.github.durablefunctions.TaskOrchestrationContext;
import io.github.durablefunctions.azurefunctions.ActivityTrigger;
import io.github.durablefunctions.azurefunctions.OrchestrationTrigger;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An order-processing workflow with compensation: validate the order, reserve stock, charge the card, send the
 * confirmation. When the payment fails, the stock reservation is released again (the compensating step) and the
 * order ends {@code PaymentFailed}; when the item is out of stock, nothing is charged. Each step is an activity, so a
 * crash anywhere resumes from the last completed step and a charge is never repeated once recorded.
 *
 * <p>Inventory and payments are simulated: every item starts with 10 in stock, and the card number
 * {@value #DECLINED_CARD} is always declined.
 *
 * <pre>
 * curl -i -X POST http://127.0.0.1:7071/api/orchestrators/ProcessOrder -H 'Content-Type: application/json' \
 *      -d '{"orderId":"o-1","item":"teapot","quantity":2,"cardNumber":"4111-1111-1111-1111","email":"ana@example.com"}'
 * # output: {"orderId":"o-1","outcome":"Completed","paymentId":"pay-...","detail":"confirmation sent to ana@example.com"}
 * # with "cardNumber":"4000-0000-0000-0002": {"orderId":"o-1","outcome":"PaymentFailed",...} and the stock is back
 * # with "quantity":50: {"orderId":"o-1","outcome":"OutOfStock",...}, nothing charged
 * </pre>
 */
public class OrderProcessing {
    /** The card number the simulated payment service always declines. */
    public static final String DECLINED_CARD = "4000-0000-0000-0002";
    /** Stock of every item before any order. */
    public static final int INITIAL_STOCK = 10;
    /** The simulated inventory: units in stock, by item. */
    static final Map<String, Integer> STOCK = new ConcurrentHashMap<>();

    /** An order. */
    public record Order(String orderId, String item, int quantity, String cardNumber, String email) {
    }

    /** The outcome: {@code Completed}, {@code Invalid}, {@code OutOfStock} or {@code PaymentFailed}. */
    public record OrderResult(String orderId, String outcome, String paymentId, String detail) {
    }

    /** A stock reservation, what the compensating step needs to undo it. */
    public record Reservation(String item, int quantity) {
    }

    /** A charge request. */
    public record Charge(String orderId, String cardNumber, int amountCents) {
    }

    @FunctionName("ProcessOrder")
    public OrderResult processOrder(@OrchestrationTrigger(name = "ctx") TaskOrchestrationContext ctx) {
        Order order = ctx.getInput(Order.class);
        String problem = ctx.callActivity("ValidateOrder", order, String.class).await();
        if (problem != null) {
            return new OrderResult(order == null ? null : order.orderId(), "Invalid", null, problem);
        }
        Reservation reservation = new Reservation(order.item(), order.quantity());
        boolean reserved = ctx.callActivity("ReserveInventory", reservation, Boolean.class).await();
        if (!reserved) {
            return new OrderResult(order.orderId(), "OutOfStock", null, "not enough " + order.item() + " in stock");
        }
        String paymentId;
        try {
            paymentId = ctx.callActivity("ChargePayment",
                    new Charge(order.orderId(), order.cardNumber(), 1999 * order.quantity()), String.class).await();
        } catch (TaskFailedException declined) {
            // Compensation: give the reserved stock back before reporting the failure.
            ctx.callActivity("ReleaseInventory", reservation).await();
            return new OrderResult(order.orderId(), "PaymentFailed", null,
                    declined.getErrorDetails().getErrorMessage());
        }
        String sent = ctx.callActivity("SendConfirmation", order, String.class).await();
        return new OrderResult(order.orderId(), "Completed", paymentId, sent);
    }

    /** Returns null for a valid order, else what is wrong with it. */
    @FunctionName("ValidateOrder")
    public String validateOrder(@ActivityTrigger(name = "order") Order order) {
        if (order == null || order.orderId() == null || order.orderId().isBlank()) {
            return "an order needs an orderId";
        }
        if (order.item() == null || order.item().isBlank() || order.quantity() < 1) {
            return "an order needs an item and a quantity of at least 1";
        }
        if (order.cardNumber() == null || order.email() == null || !order.email().contains("@")) {
            return "an order needs a card number and an e-mail address";
        }
        return null;
    }

    /** Takes {@code quantity} units out of stock if there are enough; true if it did. */
    @FunctionName("ReserveInventory")
    public boolean reserveInventory(@ActivityTrigger(name = "reservation") Reservation reservation) {
        boolean[] reserved = {false};
        STOCK.compute(reservation.item(), (item, stock) -> {
            int available = stock == null ? INITIAL_STOCK : stock;
            reserved[0] = available >= reservation.quantity();
            return reserved[0] ? available - reservation.quantity() : available;
        });
        return reserved[0];
    }

    /** The compensating step: puts reserved units back into stock. */
    @FunctionName("ReleaseInventory")
    public void releaseInventory(@ActivityTrigger(name = "reservation") Reservation reservation,
                                 final ExecutionContext context) {
        STOCK.merge(reservation.item(), reservation.quantity(), Integer::sum);
        context.getLogger().info("Released " + reservation.quantity() + " " + reservation.item());
    }

    /**
     * Charges the card; returns the payment ID.
     *
     * @throws IllegalStateException when the card is declined (the orchestration compensates)
     */
    @FunctionName("ChargePayment")
    public String chargePayment(@ActivityTrigger(name = "charge") Charge charge) {
        if (DECLINED_CARD.equals(charge.cardNumber())) {
            throw new IllegalStateException("card declined for order " + charge.orderId());
        }
        return "pay-" + UUID.nameUUIDFromBytes(charge.orderId().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Sends (simulates) the confirmation e-mail; returns what was sent. */
    @FunctionName("SendConfirmation")
    public String sendConfirmation(@ActivityTrigger(name = "order") Order order, final ExecutionContext context) {
        context.getLogger().info("Order " + order.orderId() + " confirmed to " + order.email());
        return "confirmation sent to " + order.email();
    }

    /** Units of {@code item} in stock now (for tests and curious readers). */
    public static int stockOf(String item) {
        return STOCK.getOrDefault(item, INITIAL_STOCK);
    }
}
