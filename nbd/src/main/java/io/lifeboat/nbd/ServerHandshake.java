package io.lifeboat.nbd;

import static io.lifeboat.nbd.NbdProtocol.FLAG_C_FIXED_NEWSTYLE;
import static io.lifeboat.nbd.NbdProtocol.FLAG_C_NO_ZEROES;
import static io.lifeboat.nbd.NbdProtocol.FLAG_FIXED_NEWSTYLE;
import static io.lifeboat.nbd.NbdProtocol.FLAG_NO_ZEROES;
import static io.lifeboat.nbd.NbdProtocol.INFO_DESCRIPTION;
import static io.lifeboat.nbd.NbdProtocol.INFO_NAME;
import static io.lifeboat.nbd.NbdProtocol.OPT_ABORT;
import static io.lifeboat.nbd.NbdProtocol.OPT_EXPORT_NAME;
import static io.lifeboat.nbd.NbdProtocol.OPT_GO;
import static io.lifeboat.nbd.NbdProtocol.OPT_INFO;
import static io.lifeboat.nbd.NbdProtocol.OPT_LIST;
import static io.lifeboat.nbd.NbdProtocol.OPT_LIST_META_CONTEXT;
import static io.lifeboat.nbd.NbdProtocol.OPT_SET_META_CONTEXT;
import static io.lifeboat.nbd.NbdProtocol.OPT_STARTTLS;
import static io.lifeboat.nbd.NbdProtocol.OPT_STRUCTURED_REPLY;
import static io.lifeboat.nbd.NbdProtocol.REP_ACK;
import static io.lifeboat.nbd.NbdProtocol.REP_ERR_INVALID;
import static io.lifeboat.nbd.NbdProtocol.REP_ERR_POLICY;
import static io.lifeboat.nbd.NbdProtocol.REP_ERR_UNKNOWN;
import static io.lifeboat.nbd.NbdProtocol.REP_ERR_UNSUP;
import static io.lifeboat.nbd.NbdProtocol.REP_INFO;
import static io.lifeboat.nbd.NbdProtocol.REP_META_CONTEXT;
import static io.lifeboat.nbd.NbdProtocol.REP_SERVER;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The server side of fixed newstyle negotiation. The server greets with
 * {@code NBD_FLAG_FIXED_NEWSTYLE | NBD_FLAG_NO_ZEROES}; a client flag it does not know closes the
 * connection. Options, each answered by {@link OptionReply}s (layouts in {@link OptionRequest},
 * {@link GoRequest}, {@link MetaContextRequest}, {@link MetaContextReply}, {@link Info}):
 * <ul>
 * <li>{@code NBD_OPT_EXPORT_NAME}: enters transmission with the reply
 *     {@code u64 size, u16 transmission flags} (plus 124 zero bytes unless the client set
 *     {@code NBD_FLAG_C_NO_ZEROES}); an unknown name closes the connection, as the spec demands;</li>
 * <li>{@code NBD_OPT_INFO}, {@code NBD_OPT_GO}: {@code NBD_REP_INFO} with {@code NBD_INFO_EXPORT}
 *     and {@code NBD_INFO_BLOCK_SIZE} (1 / 4096 / 32 MiB) always, {@code NBD_INFO_NAME} and
 *     {@code NBD_INFO_DESCRIPTION} when asked, then {@code NBD_REP_ACK}; GO then enters
 *     transmission. Unknown export: {@code NBD_REP_ERR_UNKNOWN};</li>
 * <li>{@code NBD_OPT_LIST}: one {@code NBD_REP_SERVER} ({@code u32 length, name}) per export, then ACK;</li>
 * <li>{@code NBD_OPT_STRUCTURED_REPLY}: ACK;</li>
 * <li>{@code NBD_OPT_LIST_META_CONTEXT}, {@code NBD_OPT_SET_META_CONTEXT}: only after structured
 *     replies ({@code NBD_REP_ERR_INVALID} before); the one context is {@code base:allocation}
 *     (id {@link #BASE_ALLOCATION_ID}), matched by its name, by {@code base:}, or, for LIST, by an
 *     empty query list;</li>
 * <li>{@code NBD_OPT_ABORT}: ACK, then the connection is closed;</li>
 * <li>{@code NBD_OPT_STARTTLS}: {@code NBD_REP_ERR_POLICY} (exports are loopback only, without TLS);</li>
 * <li>anything else: {@code NBD_REP_ERR_UNSUP}. Malformed option data: {@code NBD_REP_ERR_INVALID}.</li>
 * </ul>
 * Error replies carry a UTF-8 message. Option data over {@link #MAX_OPTION_LENGTH}, a bad option
 * magic or more than {@link #MAX_OPTIONS} options close the connection.
 */
final class ServerHandshake {

    static final String BASE_ALLOCATION = "base:allocation";
    static final int BASE_ALLOCATION_ID = 1;
    static final Info.BlockSize BLOCK_SIZE = new Info.BlockSize(1, 4096, NbdProtocol.DEFAULT_MAX_BLOCK_SIZE);
    /** Far above any legitimate option (an export name and a few context queries). */
    static final int MAX_OPTION_LENGTH = 64 << 10;
    static final int MAX_OPTIONS = 256;

    private static final int EXPORT_NAME_PADDING = 124;

    /** What transmission works with: the export and what the client negotiated. */
    record Session(NbdExport export, long size, int transmissionFlags, boolean structuredReplies,
                   boolean baseAllocation) {
    }

    private final NbdChannel channel;
    private final Map<String, NbdExport> exports;
    private boolean structured;
    /** The export named by the last NBD_OPT_SET_META_CONTEXT that selected base:allocation. */
    private String metaContextExport;

    private ServerHandshake(NbdChannel channel, Map<String, NbdExport> exports) {
        this.channel = channel;
        this.exports = exports;
    }

    /** Negotiates; returns the session to serve, or {@code null} if the client aborted. */
    static Session negotiate(NbdChannel channel, Map<String, NbdExport> exports) throws IOException {
        return new ServerHandshake(channel, exports).run();
    }

    private Session run() throws IOException {
        new Greeting(FLAG_FIXED_NEWSTYLE | FLAG_NO_ZEROES).write(channel);
        int clientFlags = Greeting.readClientFlags(channel);
        if ((clientFlags & ~(FLAG_C_FIXED_NEWSTYLE | FLAG_C_NO_ZEROES)) != 0) {
            throw new NbdProtocolException("unknown client flags 0x" + Integer.toHexString(clientFlags));
        }
        boolean fixed = (clientFlags & FLAG_C_FIXED_NEWSTYLE) != 0;
        boolean noZeroes = (clientFlags & FLAG_C_NO_ZEROES) != 0;
        for (int count = 0; count < MAX_OPTIONS; count++) {
            OptionRequest option = OptionRequest.read(channel, MAX_OPTION_LENGTH);
            if (!fixed && option.option() != OPT_EXPORT_NAME) {
                // Without fixed newstyle the client cannot parse error replies: the spec says hang up.
                throw new NbdProtocolException(NbdProtocol.optionName(option.option())
                        + " from a client without fixed newstyle negotiation");
            }
            switch (option.option()) {
                case OPT_EXPORT_NAME -> {
                    return exportName(option.data(), noZeroes);
                }
                case OPT_GO, OPT_INFO -> {
                    Session session = info(option);
                    if (session != null && option.option() == OPT_GO) {
                        return session;
                    }
                }
                case OPT_ABORT -> {
                    reply(option.option(), REP_ACK, ByteBuffer.allocate(0));
                    return null;
                }
                case OPT_LIST -> list(option);
                case OPT_STRUCTURED_REPLY -> structuredReply(option);
                case OPT_LIST_META_CONTEXT, OPT_SET_META_CONTEXT -> metaContext(option);
                case OPT_STARTTLS -> error(option, REP_ERR_POLICY, "TLS is not offered: exports are served on loopback only");
                default -> error(option, REP_ERR_UNSUP, NbdProtocol.optionName(option.option()) + " is not supported");
            }
        }
        throw new NbdProtocolException("more than " + MAX_OPTIONS + " options without entering transmission");
    }

    private Session exportName(ByteBuffer data, boolean noZeroes) throws IOException {
        if (data.remaining() > NbdProtocol.MAX_STRING_LENGTH) {
            throw new NbdProtocolException("NBD_OPT_EXPORT_NAME name of " + data.remaining() + " bytes");
        }
        String name = WireStrings.get(data.duplicate(), data.remaining());
        NbdExport export = lookup(name);
        if (export == null) {
            throw new NbdProtocolException("NBD_OPT_EXPORT_NAME for unknown export '" + name + "'");
        }
        Session session = session(export, name);
        ByteBuffer reply = ByteBuffer.allocate(Long.BYTES + Short.BYTES + (noZeroes ? 0 : EXPORT_NAME_PADDING))
                .putLong(session.size()).putShort((short) session.transmissionFlags());
        channel.write(reply.position(reply.limit()).flip());
        return session;
    }

    /** NBD_OPT_INFO and NBD_OPT_GO; returns the session if the export exists. */
    private Session info(OptionRequest option) throws IOException {
        GoRequest request;
        try {
            request = GoRequest.parse(option.data());
        } catch (NbdProtocolException e) {
            error(option, REP_ERR_INVALID, e.getMessage());
            return null;
        }
        NbdExport export = lookup(request.exportName());
        if (export == null) {
            error(option, REP_ERR_UNKNOWN, "no export named '" + request.exportName() + "'");
            return null;
        }
        Session session = session(export, request.exportName());
        reply(option.option(), REP_INFO, new Info.Export(session.size(), session.transmissionFlags()).encode());
        if (request.infoRequests().contains(INFO_NAME)) {
            reply(option.option(), REP_INFO, new Info.Name(export.name()).encode());
        }
        if (request.infoRequests().contains(INFO_DESCRIPTION) && !export.description().isEmpty()) {
            reply(option.option(), REP_INFO, new Info.Description(export.description()).encode());
        }
        reply(option.option(), REP_INFO, BLOCK_SIZE.encode());
        reply(option.option(), REP_ACK, ByteBuffer.allocate(0));
        return session;
    }

    private void list(OptionRequest option) throws IOException {
        if (option.data().hasRemaining()) {
            error(option, REP_ERR_INVALID, "NBD_OPT_LIST takes no data");
            return;
        }
        for (String name : exports.keySet().stream().sorted().toList()) {
            byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
            ByteBuffer data = ByteBuffer.allocate(Integer.BYTES + bytes.length);
            WireStrings.putPrefixed(data, bytes);
            reply(option.option(), REP_SERVER, data.flip());
        }
        reply(option.option(), REP_ACK, ByteBuffer.allocate(0));
    }

    private void structuredReply(OptionRequest option) throws IOException {
        if (option.data().hasRemaining()) {
            error(option, REP_ERR_INVALID, "NBD_OPT_STRUCTURED_REPLY takes no data");
            return;
        }
        structured = true;
        reply(option.option(), REP_ACK, ByteBuffer.allocate(0));
    }

    private void metaContext(OptionRequest option) throws IOException {
        boolean set = option.option() == OPT_SET_META_CONTEXT;
        if (!structured) {
            error(option, REP_ERR_INVALID, "meta contexts need NBD_OPT_STRUCTURED_REPLY first");
            return;
        }
        MetaContextRequest request;
        try {
            request = MetaContextRequest.parse(option.data());
        } catch (NbdProtocolException e) {
            error(option, REP_ERR_INVALID, e.getMessage());
            return;
        }
        if (lookup(request.exportName()) == null) {
            error(option, REP_ERR_UNKNOWN, "no export named '" + request.exportName() + "'");
            return;
        }
        boolean matches = !set && request.queries().isEmpty()
                || request.queries().contains(BASE_ALLOCATION)
                || !set && request.queries().contains("base:");
        if (set) {
            // Each SET replaces the previous selection.
            metaContextExport = matches ? request.exportName() : null;
        }
        if (matches) {
            // LIST replies carry id 0, which the spec reserves for "not selected".
            int id = set ? BASE_ALLOCATION_ID : 0;
            reply(option.option(), REP_META_CONTEXT, new MetaContextReply(id, BASE_ALLOCATION).encode());
        }
        reply(option.option(), REP_ACK, ByteBuffer.allocate(0));
    }

    /** The empty name is the default export, meaning the only one if there is exactly one. */
    private NbdExport lookup(String name) {
        if (name.isEmpty() && exports.size() == 1) {
            return exports.values().iterator().next();
        }
        return exports.get(name);
    }

    private Session session(NbdExport export, String requestedName) {
        int flags = NbdProtocol.FLAG_HAS_FLAGS | NbdProtocol.FLAG_READ_ONLY | NbdProtocol.FLAG_SEND_FLUSH
                | NbdProtocol.FLAG_CAN_MULTI_CONN | (structured ? NbdProtocol.FLAG_SEND_DF : 0);
        // A selection made for another export does not carry over (the spec voids it).
        boolean base = structured && requestedName.equals(metaContextExport);
        return new Session(export, export.size(), flags, structured, base);
    }

    private void error(OptionRequest option, int type, String message) throws IOException {
        byte[] text = message.getBytes(StandardCharsets.UTF_8);
        reply(option.option(), type, ByteBuffer.wrap(text, 0, Math.min(text.length, NbdProtocol.MAX_STRING_LENGTH)));
    }

    private void reply(int option, int type, ByteBuffer data) throws IOException {
        new OptionReply(option, type, data).write(channel);
    }
}
