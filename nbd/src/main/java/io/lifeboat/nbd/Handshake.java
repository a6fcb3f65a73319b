package io.lifeboat.nbd;

import static io.lifeboat.nbd.NbdProtocol.FLAG_C_FIXED_NEWSTYLE;
import static io.lifeboat.nbd.NbdProtocol.FLAG_C_NO_ZEROES;
import static io.lifeboat.nbd.NbdProtocol.FLAG_FIXED_NEWSTYLE;
import static io.lifeboat.nbd.NbdProtocol.FLAG_NO_ZEROES;
import static io.lifeboat.nbd.NbdProtocol.INFO_BLOCK_SIZE;
import static io.lifeboat.nbd.NbdProtocol.OPT_EXPORT_NAME;
import static io.lifeboat.nbd.NbdProtocol.OPT_GO;
import static io.lifeboat.nbd.NbdProtocol.OPT_SET_META_CONTEXT;
import static io.lifeboat.nbd.NbdProtocol.OPT_STRUCTURED_REPLY;
import static io.lifeboat.nbd.NbdProtocol.REP_ACK;
import static io.lifeboat.nbd.NbdProtocol.REP_ERR_UNSUP;
import static io.lifeboat.nbd.NbdProtocol.REP_INFO;
import static io.lifeboat.nbd.NbdProtocol.REP_META_CONTEXT;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The client side of fixed newstyle negotiation, in this order:
 * <ol>
 * <li>greeting and client flags ({@link Greeting}), insisting on fixed newstyle;</li>
 * <li>NBD_OPT_STRUCTURED_REPLY, tolerating a refusal (reads then use simple replies);</li>
 * <li>NBD_OPT_SET_META_CONTEXT, if contexts are wanted and replies are structured (block status
 *     needs them); contexts the server does not know are simply not selected;</li>
 * <li>NBD_OPT_GO with NBD_INFO_BLOCK_SIZE requested, falling back to NBD_OPT_EXPORT_NAME only
 *     if the server does not know NBD_OPT_GO.</li>
 * </ol>
 * Message layouts: {@link OptionRequest}, {@link OptionReply}, {@link GoRequest},
 * {@link MetaContextRequest}, {@link MetaContextReply}, {@link Info}. The NBD_OPT_EXPORT_NAME
 * reply, which is not an option reply, is:
 * <pre>
 * S: u64 export size, u16 transmission flags, 124 zero bytes unless NBD_FLAG_C_NO_ZEROES
 * </pre>
 */
final class Handshake {

    private static final int EXPORT_NAME_REPLY_SIZE = Long.BYTES + Short.BYTES;
    private static final int EXPORT_NAME_REPLY_PADDING = 124;
    /** Bounds a server that keeps sending NBD_REP_INFO or NBD_REP_META_CONTEXT and never acknowledges. */
    private static final int MAX_REPLIES_PER_OPTION = 1024;

    private final NbdChannel channel;
    private final String exportName;

    private Handshake(NbdChannel channel, String exportName) {
        this.channel = channel;
        this.exportName = exportName;
    }

    static NegotiatedExport negotiate(NbdChannel channel, String exportName, List<String> metaContexts)
            throws IOException {
        return new Handshake(channel, exportName).run(metaContexts);
    }

    private NegotiatedExport run(List<String> metaContexts) throws IOException {
        Greeting greeting = Greeting.read(channel);
        if ((greeting.handshakeFlags() & FLAG_FIXED_NEWSTYLE) == 0) {
            throw new NbdProtocolException("server does not offer fixed newstyle negotiation");
        }
        boolean noZeroes = (greeting.handshakeFlags() & FLAG_NO_ZEROES) != 0;
        Greeting.writeClientFlags(channel, FLAG_C_FIXED_NEWSTYLE | (noZeroes ? FLAG_C_NO_ZEROES : 0));

        boolean structured = structuredReplies();
        Map<String, Integer> contexts = structured && !metaContexts.isEmpty()
                ? setMetaContexts(metaContexts) : Map.of();
        return go(structured, contexts, noZeroes);
    }

    private boolean structuredReplies() throws IOException {
        OptionRequest.of(OPT_STRUCTURED_REPLY).write(channel);
        OptionReply reply = OptionReply.read(channel, OPT_STRUCTURED_REPLY);
        if (reply.type() == REP_ACK) {
            return true;
        }
        if (reply.isError()) {
            return false;
        }
        throw unexpected(reply);
    }

    private Map<String, Integer> setMetaContexts(List<String> queries) throws IOException {
        new MetaContextRequest(exportName, queries).toOption(OPT_SET_META_CONTEXT).write(channel);
        Map<String, Integer> selected = new HashMap<>();
        for (int replies = 0; ; replies++) {
            OptionReply reply = nextReply(OPT_SET_META_CONTEXT, replies);
            if (reply.type() == REP_META_CONTEXT) {
                MetaContextReply context = MetaContextReply.parse(reply.data());
                selected.put(context.name(), context.contextId());
            } else if (reply.type() == REP_ACK) {
                return selected;
            } else if (reply.type() == REP_ERR_UNSUP) {
                // An older server without block status: reads still work, block status will say why not.
                return Map.of();
            } else if (reply.isError()) {
                throw refused(reply);
            } else {
                throw unexpected(reply);
            }
        }
    }

    private NegotiatedExport go(boolean structured, Map<String, Integer> contexts, boolean noZeroes)
            throws IOException {
        new GoRequest(exportName, List.of(INFO_BLOCK_SIZE)).toOption(OPT_GO).write(channel);
        Info.Export export = null;
        Info.BlockSize blockSize = Info.BlockSize.DEFAULT;
        for (int replies = 0; ; replies++) {
            OptionReply reply = nextReply(OPT_GO, replies);
            if (reply.type() == REP_INFO) {
                Info info = Info.parse(reply.data());
                if (info instanceof Info.Export e) {
                    export = e;
                } else if (info instanceof Info.BlockSize b) {
                    blockSize = b;
                }
            } else if (reply.type() == REP_ACK) {
                if (export == null) {
                    throw new NbdProtocolException("server acknowledged NBD_OPT_GO without sending NBD_INFO_EXPORT");
                }
                return new NegotiatedExport(export.size(), export.transmissionFlags(), structured, blockSize, contexts);
            } else if (reply.type() == REP_ERR_UNSUP) {
                Info.Export legacy = exportName(noZeroes);
                return new NegotiatedExport(legacy.size(), legacy.transmissionFlags(), structured,
                        Info.BlockSize.DEFAULT, contexts);
            } else if (reply.isError()) {
                throw refused(reply);
            } else {
                throw unexpected(reply);
            }
        }
    }

    /** The pre-NBD_OPT_GO way in; a server that dislikes the name just closes the connection. */
    private Info.Export exportName(boolean noZeroes) throws IOException {
        byte[] name = WireStrings.encode(exportName, "export name");
        new OptionRequest(OPT_EXPORT_NAME, ByteBuffer.wrap(name)).write(channel);
        int length = EXPORT_NAME_REPLY_SIZE + (noZeroes ? 0 : EXPORT_NAME_REPLY_PADDING);
        ByteBuffer b = channel.read(length, "NBD_OPT_EXPORT_NAME reply for export '" + exportName + "'");
        long size = b.getLong();
        if (size < 0) {
            throw new NbdProtocolException("export size " + Long.toUnsignedString(size) + " is beyond what this client can address");
        }
        return new Info.Export(size, Short.toUnsignedInt(b.getShort()));
    }

    private OptionReply nextReply(int option, int repliesSoFar) throws IOException {
        if (repliesSoFar >= MAX_REPLIES_PER_OPTION) {
            throw new NbdProtocolException("more than " + MAX_REPLIES_PER_OPTION + " replies to "
                    + NbdProtocol.optionName(option) + " without a final one");
        }
        return OptionReply.read(channel, option);
    }

    private NbdServerException refused(OptionReply reply) {
        String detail = "export '" + exportName + "'";
        String message = reply.message();
        return new NbdServerException(NbdProtocol.optionName(reply.option()), NbdProtocol.replyTypeName(reply.type()),
                message.isEmpty() ? detail : detail + ": " + message);
    }

    private static NbdProtocolException unexpected(OptionReply reply) {
        return new NbdProtocolException("unexpected " + NbdProtocol.replyTypeName(reply.type()) + " in reply to "
                + NbdProtocol.optionName(reply.option()));
    }
}
