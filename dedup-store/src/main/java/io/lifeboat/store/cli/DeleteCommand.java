package io.lifeboat.store.cli;

import io.lifeboat.cli.ExitCode;
import io.lifeboat.store.Store;
import io.lifeboat.store.StoreException;
import io.lifeboat.store.manifest.RestorePointId;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;

@Command(name = "delete", mixinStandardHelpOptions = true,
        description = "Delete restore points. Their chunks are freed by the next gc.")
final class DeleteCommand extends StoreCli.Verb {
    @Parameters(arity = "1..*", paramLabel = "ID", description = "Restore points to delete.")
    List<String> ids;

    @Override
    public Integer call() throws Exception {
        Set<RestorePointId> parsed = new LinkedHashSet<>();
        for (String id : ids) {
            parsed.add(RestorePointId.parse(id));
        }
        try (Store store = open()) {
            for (RestorePointId id : parsed) {
                if (!store.manifests().exists(id)) { // refuse before deleting any
                    throw new StoreException(StoreException.Kind.NOT_FOUND, "no restore point " + id + "; nothing deleted");
                }
            }
            for (RestorePointId id : parsed) {
                store.delete(id);
            }
        }
        print(Map.of("deleted", ids), "deleted " + String.join(", ", ids));
        return ExitCode.OK;
    }
}
