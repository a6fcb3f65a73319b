package io.lifeboat.store.cli;

import io.lifeboat.cli.ExitCode;
import io.lifeboat.cli.Sizes;
import io.lifeboat.store.Progress;
import io.lifeboat.store.Store;
import io.lifeboat.store.verify.Verifier;
import io.lifeboat.store.verify.VerifyReport;
import picocli.CommandLine.Command;

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Re-read every chunk, check checksums and digests, and name the restore points any damage affects. "
                + "Exits 4 if anything is wrong.")
final class VerifyCommand extends StoreCli.Verb {
    @Override
    public Integer call() throws Exception {
        try (Store store = open()) {
            Progress progress = new Progress();
            VerifyReport r = withProgress(progress, () -> new Verifier(store).run(progress));
            StringBuilder text = new StringBuilder(String.format("%d packs, %d chunks, %s checked: %s",
                    r.packsChecked(), r.chunksChecked(), Sizes.human(r.bytesChecked()), r.ok() ? "OK" : "PROBLEMS FOUND"));
            r.badPacks().forEach(p -> text.append("\n  bad pack ").append(p));
            r.badChunks().forEach(c -> text.append("\n  bad chunk ").append(c.digest()).append(" in pack ")
                    .append(c.pack()).append(" at ").append(c.offset()).append(": ").append(c.reason()));
            if (r.missingChunks() > 0) {
                text.append("\n  ").append(r.missingChunks()).append(" chunk(s) referenced but missing from the index");
            }
            r.corruptManifests().forEach(m -> text.append("\n  ").append(m));
            r.affectedRestorePoints().forEach((id, n) -> text.append("\n  restore point ").append(id)
                    .append(": ").append(n).append(" chunk(s) damaged or missing"));
            print(r, text.toString());
            return r.ok() ? ExitCode.OK : ExitCode.CORRUPT;
        }
    }
}
