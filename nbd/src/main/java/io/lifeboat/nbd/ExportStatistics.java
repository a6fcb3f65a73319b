package io.lifeboat.nbd;

/**
 * What {@link NbdServer} has done for one export since it started, as counted when asked.
 *
 * @param connections       connections that entered transmission with this export
 * @param activeConnections of those, the ones still open
 * @param requests          transmission requests received (every command, errors included)
 * @param bytesRead         bytes of NBD_CMD_READ replies read in full from the export (counted before the
 *                          reply's last piece is sent): what clients read
 * @param dataBytes         of those, bytes sent as data rather than as holes
 * @param errors            requests answered with an error
 */
public record ExportStatistics(long connections, long activeConnections, long requests, long bytesRead,
                               long dataBytes, long errors) {
}
