package io.lifeboat.nbd;

import static io.lifeboat.nbd.NbdProtocol.IHAVEOPT;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * An option sent by the client during fixed newstyle negotiation.
 *
 * <pre>
 * C: u64 0x49484156454f5054 ("IHAVEOPT")
 * C: u32 option              (NBD_OPT_*)
 * C: u32 length of data
 * C: data                    (layout per option: see {@link GoRequest}, {@link MetaContextRequest};
 *                             NBD_OPT_STRUCTURED_REPLY has none, NBD_OPT_EXPORT_NAME is the name)
 * </pre>
 */
record OptionRequest(int option, ByteBuffer data) {

    static final int HEADER_SIZE = 16;

    OptionRequest {
        data = data.asReadOnlyBuffer();
    }

    static OptionRequest of(int option) {
        return new OptionRequest(option, ByteBuffer.allocate(0));
    }

    void write(NbdChannel channel) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(HEADER_SIZE)
                .putLong(IHAVEOPT).putInt(option).putInt(data.remaining()).flip();
        channel.write(header, data.duplicate());
    }

    /** The server side: reads one option, refusing data longer than {@code maxLength}. */
    static OptionRequest read(NbdChannel channel, int maxLength) throws IOException {
        ByteBuffer header = channel.read(HEADER_SIZE, "option request header");
        long magic = header.getLong();
        if (magic != IHAVEOPT) {
            throw new NbdProtocolException("bad option magic 0x" + Long.toHexString(magic));
        }
        int option = header.getInt();
        long length = Integer.toUnsignedLong(header.getInt());
        if (length > maxLength) {
            throw new NbdProtocolException(NbdProtocol.optionName(option) + " data length " + length
                    + " exceeds the limit of " + maxLength);
        }
        return new OptionRequest(option, channel.read((int) length, NbdProtocol.optionName(option) + " data"));
    }
}
