package io.lifeboat.nbd;

import static io.lifeboat.nbd.NbdProtocol.OPTION_REPLY_MAGIC;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A server's reply to an option (every option but NBD_OPT_EXPORT_NAME). Options may have several
 * replies (NBD_REP_INFO, NBD_REP_META_CONTEXT) before the final NBD_REP_ACK or error.
 *
 * <pre>
 * S: u64 0x0003e889045565a9  (option reply magic)
 * S: u32 option              (echoes the option being answered)
 * S: u32 reply type          (NBD_REP_*; bit 31 set for errors)
 * S: u32 length of data
 * S: data                    (NBD_REP_INFO: see {@link Info}; NBD_REP_META_CONTEXT: see
 *                             {@link MetaContextReply}; errors: optional UTF-8 message)
 * </pre>
 */
record OptionReply(int option, int type, ByteBuffer data) {

    static final int HEADER_SIZE = 20;
    /** No reply we understand comes near this; a larger length means a broken or hostile server. */
    static final int MAX_LENGTH = 64 << 10;

    OptionReply {
        data = data.asReadOnlyBuffer();
    }

    boolean isError() {
        return (type & NbdProtocol.REP_FLAG_ERROR) != 0;
    }

    /** The human-readable text a server may attach to an error reply; empty if none. */
    String message() {
        return StandardCharsets.UTF_8.decode(data.duplicate()).toString();
    }

    /** Reads the next reply to {@code expectedOption}. */
    static OptionReply read(NbdChannel channel, int expectedOption) throws IOException {
        String name = NbdProtocol.optionName(expectedOption);
        ByteBuffer header = channel.read(HEADER_SIZE, "reply header to " + name);
        long magic = header.getLong();
        if (magic != OPTION_REPLY_MAGIC) {
            throw new NbdProtocolException("bad option reply magic 0x" + Long.toHexString(magic)
                    + " in reply to " + name);
        }
        int option = header.getInt();
        int type = header.getInt();
        long length = Integer.toUnsignedLong(header.getInt());
        if (option != expectedOption) {
            throw new NbdProtocolException("server answered " + NbdProtocol.optionName(option)
                    + " while " + name + " was pending");
        }
        if (length > MAX_LENGTH) {
            throw new NbdProtocolException(NbdProtocol.replyTypeName(type) + " reply to " + name
                    + " has length " + length + ", over the limit of " + MAX_LENGTH);
        }
        ByteBuffer data = channel.read((int) length, NbdProtocol.replyTypeName(type) + " reply to " + name);
        return new OptionReply(option, type, data);
    }

    void write(NbdChannel channel) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(HEADER_SIZE).putLong(OPTION_REPLY_MAGIC)
                .putInt(option).putInt(type).putInt(data.remaining()).flip();
        channel.write(header, data.duplicate());
    }
}
