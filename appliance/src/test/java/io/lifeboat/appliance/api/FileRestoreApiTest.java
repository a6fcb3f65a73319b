package io.lifeboat.appliance.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

import io.lifeboat.appliance.catalog.AuditEntry;
import io.lifeboat.appliance.catalog.AuditLog;
import io.lifeboat.appliance.inventory.TestVms;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * File-level restore through the API: a shut-off VM whose disk holds an ext4 file system (made
 * with guestfish), backed up for real, browsed, a file and a directory downloaded, the session
 * closed; a path escaping the root and a missing file answered as problems.
 */
class FileRestoreApiTest extends LibvirtAppliance {

    private static final String HOSTNAME = "api01.example\n";
    private static final String SYSLOG = "a line of the log\n";

    @Autowired
    AuditLog audit;

    private String vmWithFiles() throws Exception {
        String name = vms.name("files");
        Path disk = TestVms.qcow2(dir, name + "-vda.qcow2", 64 * TestVms.MIB);
        TestVms.run("env", "LIBGUESTFS_BACKEND=direct", "LIBGUESTFS_BACKEND_SETTINGS=force_tcg", "guestfish",
                "--format=qcow2", "-a", disk.toString(), "--",
                "run", ":", "part-disk", "/dev/sda", "mbr", ":", "mkfs", "ext4", "/dev/sda1", "label:api",
                ":", "mount", "/dev/sda1", "/", ":", "mkdir-p", "/etc", ":", "write", "/etc/hostname", HOSTNAME,
                ":", "mkdir-p", "/var/log", ":", "write", "/var/log/syslog", SYSLOG, ":", "umount-all");
        ApiClient.Reply defined = admin().post("/api/vms", XML, TestVms.domainXml(name, List.of(disk), false));
        assertThat(defined.status()).as(defined.text()).isEqualTo(201);
        return name;
    }

    @Test
    void browsesDownloadsAndClosesASessionOverHttp() throws Exception {
        String vm = vmWithFiles();
        String point = backUp(vm);

        ApiClient.Reply opened = admin().post("/api/restore-points/" + point + "/files");
        assertThat(opened.status()).as(opened.text()).isEqualTo(201);
        String id = opened.body().path("id").asString();
        assertThat(opened.location()).isEqualTo("/api/file-sessions/" + id);
        assertThat(opened.body().path("restorePoint").asString()).isEqualTo(point);
        JsonNode fs = opened.body().path("filesystems").get(0);
        assertThat(fs.path("device").asString()).isEqualTo("/dev/sda1");
        assertThat(fs.path("type").asString()).isEqualTo("ext4");
        assertThat(fs.path("label").asString()).isEqualTo("api");
        assertThat(fs.path("sizeBytes").asLong()).isPositive();

        String base = "/api/file-sessions/" + id;
        ApiClient.Reply etc = admin().get(base + "/ls?fs=/dev/sda1&path=/etc");
        assertThat(etc.status()).as(etc.text()).isEqualTo(200);
        JsonNode hostname = etc.body().get(0);
        assertThat(hostname.path("name").asString()).isEqualTo("hostname");
        assertThat(hostname.path("type").asString()).isEqualTo("file");
        assertThat(hostname.path("sizeBytes").asLong()).isEqualTo(HOSTNAME.length());
        assertThat(hostname.path("mode").asString()).isEqualTo("0644");
        assertThat(hostname.path("mtime").asString()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        assertThat(admin().get(base + "/ls?fs=/dev/sda1&path=/").body().findValuesAsString("name")).contains("etc", "var");

        HttpResponse<byte[]> file = download(base + "/file?fs=/dev/sda1&path=/etc/hostname");
        assertThat(file.statusCode()).isEqualTo(200);
        assertThat(file.headers().firstValue("Content-Type").orElse("")).isEqualTo("application/octet-stream");
        assertThat(file.headers().firstValue("Content-Disposition").orElse("")).contains("attachment").contains("hostname");
        assertThat(new String(file.body(), StandardCharsets.UTF_8)).isEqualTo(HOSTNAME);

        HttpResponse<byte[]> tar = download(base + "/tar?fs=/dev/sda1&path=/var/log");
        assertThat(tar.statusCode()).isEqualTo(200);
        assertThat(tar.headers().firstValue("Content-Disposition").orElse("")).contains("log.tar");
        Path archive = Files.write(dir.resolve("log.tar"), tar.body());
        Path out = Files.createDirectories(dir.resolve("untarred"));
        TestVms.run("tar", "-xf", archive.toString(), "-C", out.toString());
        assertThat(Files.readString(out.resolve("syslog"))).isEqualTo(SYSLOG);
        HttpResponse<byte[]> zip = download(base + "/zip?fs=/dev/sda1&path=/var/log");
        assertThat(zip.statusCode()).isEqualTo(200);
        assertThat(zip.headers().firstValue("Content-Type").orElse("")).isEqualTo("application/zip");
        assertThat(zip.headers().firstValue("Content-Disposition").orElse("")).contains("log.zip");
        Path unzipped = Files.createDirectories(dir.resolve("unzipped"));
        TestVms.run("unzip", "-q", Files.write(dir.resolve("log.zip"), zip.body()).toString(), "-d", unzipped.toString());
        assertThat(Files.readString(unzipped.resolve("syslog"))).isEqualTo(SYSLOG);

        ApiClient.Reply missing = admin().get(base + "/file?fs=/dev/sda1&path=/etc/shadow");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.contentType()).contains("application/problem+json");
        assertThat(missing.body().path("detail").asString()).isEqualTo("no such file or directory: /etc/shadow on /dev/sda1");
        ApiClient.Reply escaping = admin().get(base + "/ls?fs=/dev/sda1&path=/../etc");
        assertThat(escaping.status()).isEqualTo(400);
        assertThat(escaping.body().path("detail").asString()).contains("climbs above the root");
        assertThat(admin().get(base + "/ls?fs=/dev/sdz1&path=/").status()).isEqualTo(404);

        // put back into a VM: checked before anything is written (the running case is FileRestoreLayoutsTest's, on a real guest)
        ApiClient.Reply noVm = admin().post(base + "/put-back", "application/json", "{\"fs\":\"/dev/sda1\",\"path\":\"/etc/hostname\"}");
        assertThat(noVm.status()).as(noVm.text()).isEqualTo(400);
        assertThat(noVm.body().path("detail").asString()).contains("vm");
        ApiClient.Reply stopped = admin().post(base + "/put-back", "application/json",
                "{\"fs\":\"/dev/sda1\",\"path\":\"/etc/hostname\",\"vm\":\"" + vm + "\"}");
        assertThat(stopped.status()).as(stopped.text()).isEqualTo(409);
        assertThat(stopped.body().path("detail").asString()).contains("is not running");
        ApiClient.Reply unknown = admin().post(base + "/put-back", "application/json",
                "{\"fs\":\"/dev/sda1\",\"path\":\"/etc/hostname\",\"vm\":\"lbtest-no-such-vm\"}");
        assertThat(unknown.status()).as(unknown.text()).isEqualTo(404);
        ApiClient.Reply aDir = admin().post(base + "/put-back", "application/json",
                "{\"fs\":\"/dev/sda1\",\"path\":\"/etc\",\"vm\":\"" + vm + "\"}");
        assertThat(aDir.status()).as(aDir.text()).isEqualTo(400);
        assertThat(aDir.body().path("detail").asString()).contains("only files are put back");

        ApiClient.Reply held = admin().delete("/api/restore-points/" + point);
        assertThat(held.status()).as("a restore point being browsed is kept: " + held.text()).isEqualTo(409);

        assertThat(admin().delete(base).status()).isEqualTo(204);
        assertThat(admin().get(base + "/ls?fs=/dev/sda1&path=/etc").status()).isEqualTo(404);
        assertThat(admin().delete(base).status()).isEqualTo(404);

        List<AuditEntry> entries = audit.recent(20);
        assertThat(entries).anyMatch(e -> e.action().equals("restore-point.files") && e.target().equals(point)
                && e.outcome() == AuditEntry.Outcome.SUCCEEDED);
        assertThat(entries).filteredOn(e -> e.action().equals("file-session.download") && e.target().equals(id)
                && e.outcome() == AuditEntry.Outcome.SUCCEEDED).hasSize(3);
        assertThat(entries).anyMatch(e -> e.action().equals("file-session.download")
                && e.outcome() == AuditEntry.Outcome.FAILED);
        assertThat(entries).anyMatch(e -> e.action().equals("file-session.close") && e.target().equals(id));
    }

    private HttpResponse<byte[]> download(String path) throws Exception {
        ApiClient client = admin();
        String token = Base64.getEncoder().encodeToString((client.user() + ":" + client.password()).getBytes(StandardCharsets.UTF_8));
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:" + client.port() + path))
                .header("Authorization", "Basic " + token).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }
}
