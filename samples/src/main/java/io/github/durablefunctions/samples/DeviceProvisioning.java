package io.github.durablefunctions.samples;

import com.microsoft.azure.functions.annotation.FunctionName;
import io.github.durablefunctions.FailureDetails;
import io.github.durablefunctions.Task;
import io.github.durablefunctions.TaskFailedException;
import io.github.durablefunctions.TaskOrchestrationContext;
import io.github.durablefunctions.azurefunctions.ActivityTrigger;
import io.github.durablefunctions.azurefunctions.OrchestrationTrigger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sub-orchestrations: {@code ProvisionDevices} starts one {@code ProvisionDevice} sub-orchestration per device, in
 * parallel, each with its own instance ID ({@code <parent id>:<device>}), and collects what each returned. A child
 * that fails reaches the parent as a {@code TaskFailedException} carrying the child's failure details; the parent
 * reports it and carries on. Device IDs starting with {@code broken} fail their self-test.
 *
 * <pre>
 * curl -i -X POST http://127.0.0.1:7071/api/orchestrators/ProvisionDevices -H 'Content-Type: application/json' \
 *      -d '["sensor-1","sensor-2","broken-3"]'
 * # output: {"provisioned":{"sensor-1":"key-…","sensor-2":"key-…"},
 * #          "failed":{"broken-3":"Device 'broken-3' failed its self-test"}}
 * </pre>
 */
public class DeviceProvisioning {
    /** Per device: its key if provisioned, or why it failed. */
    public record ProvisioningReport(Map<String, String> provisioned, Map<String, String> failed) {
    }

    /** What {@code RegisterDevice} records. */
    public record Registration(String deviceId, String key) {
    }

    @FunctionName("ProvisionDevices")
    public ProvisioningReport provisionDevices(@OrchestrationTrigger(name = "ctx") TaskOrchestrationContext ctx) {
        String[] devices = ctx.getInput(String[].class);
        if (devices == null || devices.length == 0) {
            throw new IllegalArgumentException("ProvisionDevices needs a JSON array of device IDs");
        }
        List<Task<String>> children = new ArrayList<>();
        for (String device : devices) {
            children.add(ctx.callSubOrchestrator("ProvisionDevice", device, ctx.getInstanceId() + ":" + device,
                    String.class));
        }
        Map<String, String> provisioned = new LinkedHashMap<>();
        Map<String, String> failed = new LinkedHashMap<>();
        for (int i = 0; i < devices.length; i++) {
            try {
                provisioned.put(devices[i], children.get(i).await());
            } catch (TaskFailedException e) {
                failed.put(devices[i], innermostMessage(e.getErrorDetails()));
            }
        }
        return new ProvisioningReport(provisioned, failed);
    }

    /** Provisions one device: creates its key, registers it, returns the key. */
    @FunctionName("ProvisionDevice")
    public String provisionDevice(@OrchestrationTrigger(name = "ctx") TaskOrchestrationContext ctx) {
        String deviceId = ctx.getInput(String.class);
        String key = ctx.callActivity("CreateDeviceKey", deviceId, String.class).await();
        ctx.callActivity("RegisterDevice", new Registration(deviceId, key)).await();
        return key;
    }

    /**
     * Derives the device's key from its ID.
     *
     * @throws IllegalStateException for devices whose ID starts with {@code broken}
     */
    @FunctionName("CreateDeviceKey")
    public String createDeviceKey(@ActivityTrigger(name = "deviceId") String deviceId) {
        if (deviceId.startsWith("broken")) {
            throw new IllegalStateException("Device '" + deviceId + "' failed its self-test");
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(deviceId.getBytes(StandardCharsets.UTF_8));
            return "key-" + HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @FunctionName("RegisterDevice")
    public void registerDevice(@ActivityTrigger(name = "registration") Registration registration) {
        // A real app would write to a device registry here.
    }

    /** The innermost failure message of a failed sub-orchestration: the failing activity's own message. */
    private static String innermostMessage(FailureDetails details) {
        while (details.getInnerFailure() != null) {
            details = details.getInnerFailure();
        }
        return details.getErrorMessage();
    }
}
