package io.duro.gateway;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.StandardCharsets;
import org.apache.pekko.util.ByteString;

/**
 * The WebSocket wire format (RFC 6455) of the gateway's sockets: {@link WebSocketConnection} reads
 * the client's frames and writes its own with it. No extension (per-message compression) and no
 * subprotocol is negotiated, so every reserved bit must be clear.
 */
final class WsFrames {

  static final int CONTINUATION = 0x0;
  static final int TEXT = 0x1;
  static final int BINARY = 0x2;
  static final int CLOSE = 0x8;
  static final int PING = 0x9;
  static final int PONG = 0xA;

  /** The largest payload of a control frame (RFC 6455 §5.5). */
  static final int MAX_CONTROL_PAYLOAD = 125;

  private WsFrames() {}

  // ---- frames from the client ----

  /**
   * The header of one frame from the client.
   *
   * @param fin whether this is the last frame of its message
   * @param reserved the RSV1-3 bits
   * @param opcode the opcode
   * @param mask the masking key, when {@code masked}
   * @param masked whether the payload is masked (a client must mask)
   * @param length the payload length
   * @param size the header's length in bytes
   */
  record Header(
      boolean fin, int reserved, int opcode, int mask, boolean masked, long length, int size) {

    boolean isControl() {
      return (opcode & 0x8) != 0;
    }
  }

  /**
   * Reads the header of the frame at the start of {@code buf}.
   *
   * @param buf bytes from the client
   * @return the header, or null if {@code buf} does not hold all of it yet
   */
  static Header header(ByteString buf) {
    int n = buf.size();
    if (n < 2) {
      return null;
    }
    int b0 = buf.apply(0) & 0xFF;
    int b1 = buf.apply(1) & 0xFF;
    boolean masked = (b1 & 0x80) != 0;
    int len7 = b1 & 0x7F;
    int size = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + (masked ? 4 : 0);
    if (n < size) {
      return null;
    }
    long length = len7;
    int at = 2;
    if (len7 == 126) {
      length = ((buf.apply(2) & 0xFF) << 8) | (buf.apply(3) & 0xFF);
      at = 4;
    } else if (len7 == 127) {
      length = 0;
      for (int i = 0; i < 8; i++) {
        length = (length << 8) | (buf.apply(2 + i) & 0xFF);
      }
      at = 10; // a negative length (highest bit set) is refused by the caller
    }
    int mask = 0;
    if (masked) {
      for (int i = 0; i < 4; i++) {
        mask = (mask << 8) | (buf.apply(at + i) & 0xFF);
      }
    }
    return new Header((b0 & 0x80) != 0, (b0 >> 4) & 0x7, b0 & 0xF, mask, masked, length, size);
  }

  /**
   * The unmasked payload of a frame.
   *
   * @param payload the masked payload bytes
   * @param mask the masking key
   * @return the payload
   */
  static byte[] unmask(ByteString payload, int mask) {
    byte[] p = payload.toArray();
    for (int i = 0; i < p.length; i++) {
      p[i] ^= (byte) (mask >>> (24 - 8 * (i & 3)));
    }
    return p;
  }

  /**
   * Decodes UTF-8 strictly.
   *
   * @param bytes the bytes
   * @return the text
   * @throws CharacterCodingException when the bytes are not valid UTF-8
   */
  static String utf8(byte[] bytes) throws CharacterCodingException {
    return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
  }

  /** Valid close codes a peer may send (RFC 6455 §7.4), as Pekko checks them. */
  static boolean isValidCloseCode(int code) {
    return (code >= 1000 && code <= 1003)
        || (code >= 1007 && code <= 1011)
        || (code >= 3000 && code <= 4999);
  }

  // ---- frames to the client (unmasked, never fragmented) ----

  static ByteString text(String text) {
    return frame(TEXT, text.getBytes(StandardCharsets.UTF_8));
  }

  static ByteString binary(byte[] data) {
    return frame(BINARY, data);
  }

  static ByteString ping() {
    return frame(PING, new byte[0]);
  }

  static ByteString pong(byte[] payload) {
    return frame(PONG, payload);
  }

  /**
   * A close frame; the reason is cut to what fits a control frame.
   *
   * @param code the close code
   * @param reason the reason
   * @return the frame
   */
  static ByteString close(int code, String reason) {
    return frame(0x80 | CLOSE, false, closePayload(code, reason));
  }

  /**
   * A frame as a client sends it: masked, with the key 0, which leaves the payload as it is
   * ({@link StockWebSocketUpgrade} hands Pekko's messages to the socket's stage this way).
   *
   * @param opcode the opcode
   * @param fin whether this is the last frame of its message
   * @param payload the payload
   * @return the frame
   */
  static ByteString clientFrame(int opcode, boolean fin, byte[] payload) {
    return frame((fin ? 0x80 : 0) | opcode, true, payload);
  }

  /**
   * A close frame as a client sends it (see {@link #clientFrame}).
   *
   * @param code the close code
   * @param reason the reason
   * @return the frame
   */
  static ByteString clientClose(int code, String reason) {
    return clientFrame(CLOSE, true, closePayload(code, reason));
  }

  private static byte[] closePayload(int code, String reason) {
    ByteBuffer payload = ByteBuffer.allocate(MAX_CONTROL_PAYLOAD);
    payload.putShort((short) code);
    CharsetEncoder encoder = StandardCharsets.UTF_8.newEncoder();
    // on overflow the encoder stops at a character boundary: the reason is cut, never broken
    encoder.encode(CharBuffer.wrap(reason), payload, true);
    byte[] bytes = new byte[payload.position()];
    payload.flip().get(bytes);
    return bytes;
  }

  private static ByteString frame(int opcode, byte[] payload) {
    return frame(0x80 | opcode, false, payload);
  }

  /** A frame: its first byte (FIN and opcode), then the length, the zero mask key if masked. */
  private static ByteString frame(int first, boolean masked, byte[] payload) {
    int n = payload.length;
    int size = (n < 126 ? 2 : n < 65536 ? 4 : 10) + (masked ? 4 : 0);
    byte[] f = new byte[size + n];
    f[0] = (byte) first;
    if (n < 126) {
      f[1] = (byte) n;
    } else if (n < 65536) {
      f[1] = 126;
      f[2] = (byte) (n >>> 8);
      f[3] = (byte) n;
    } else {
      f[1] = 127;
      for (int i = 0; i < 8; i++) {
        f[2 + i] = (byte) ((long) n >>> (56 - 8 * i));
      }
    }
    if (masked) {
      f[1] |= (byte) 0x80;
    }
    System.arraycopy(payload, 0, f, size, n);
    return ByteString.fromArrayUnsafe(f);
  }
}
