package io.lifeboat.appliance.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import io.lifeboat.appliance.inventory.TestVms;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** {@code GET /api/hosts} against the real libvirtd, and a configured host that does not answer. */
class HostApiTest extends LibvirtAppliance {

    @Test
    void eachHostWithItsPoolsAndNetworksAndTheSilentOneWithItsError() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String pool = "lbhost-pool-" + suffix;
        String network = "lbhost-net-" + suffix;
        Path poolDir = Files.createDirectories(dir.resolve("pool"));
        Path poolXml = Files.writeString(dir.resolve("pool.xml"),
                "<pool type='dir'><name>" + pool + "</name><target><path>" + poolDir + "</path></target></pool>");
        Path netXml = Files.writeString(dir.resolve("net.xml"), "<network><name>" + network + "</name></network>");
        TestVms.run("virsh", "-c", TestVms.URI, "pool-define", poolXml.toString());
        TestVms.run("virsh", "-c", TestVms.URI, "net-define", netXml.toString());
        try {
            TestVms.run("virsh", "-c", TestVms.URI, "pool-start", pool);

            ApiClient.Reply reply = admin().get("/api/hosts");

            assertThat(reply.status()).isEqualTo(200);
            JsonNode hosts = reply.body();
            assertThat(hosts.size()).isEqualTo(2);
            JsonNode local = hosts.get(0);
            assertThat(local.path("uri").asString()).isEqualTo(TestVms.URI);
            assertThat(local.path("default").asBoolean()).isTrue();
            assertThat(local.path("error").isNull()).isTrue();
            assertThat(named(local.path("pools"), pool).path("active").asBoolean()).isTrue();
            assertThat(named(local.path("networks"), network).path("active").asBoolean()).as("defined, not started").isFalse();

            JsonNode silent = hosts.get(1);
            assertThat(silent.path("uri").asString()).isEqualTo(SILENT_HOST);
            assertThat(silent.path("default").asBoolean()).isFalse();
            assertThat(silent.path("error").asString()).isNotBlank();
            assertThat(silent.path("pools").size()).isZero();
            assertThat(silent.path("networks").size()).isZero();

            assertThat(anonymous().get("/api/hosts").status()).isEqualTo(401);
        } finally {
            TestVms.run("virsh", "-c", TestVms.URI, "pool-destroy", pool);
            TestVms.run("virsh", "-c", TestVms.URI, "pool-undefine", pool);
            TestVms.run("virsh", "-c", TestVms.URI, "net-undefine", network);
        }
    }

    private static JsonNode named(JsonNode list, String name) {
        for (JsonNode n : list) {
            if (n.path("name").asString().equals(name)) {
                return n;
            }
        }
        throw new AssertionError(name + " not in " + list);
    }
}
