package io.datacat.protocol;

import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A strict JSON tokenizer (RFC 8259) over the UTF-8 bytes of a request body, written for
 * validating batches: the daemon and the server read every record through it. Jackson's
 * general parser cost about two thirds of validating a record (a profile of the validation
 * benchmark); this one does only what validation needs:
 * <ul>
 *   <li>a string is checked (escapes, UTF-8, control characters, length) as it is passed,
 *       and decoded to characters only when asked for;</li>
 *   <li>an object key is returned as the same String each time the same bytes recur, from a
 *       small cache, so a batch of thousands of records makes each key once;</li>
 *   <li>token positions are plain offsets, and a record's bytes stay at hand to be copied out
 *       as they came ({@link #keepFrom}, {@link #copy}).</li>
 * </ul>
 * Tokens are Jackson's {@link JsonToken} values, so messages describe them the same way.
 * Malformed input fails with an {@link InvalidInputException} whose message starts
 * {@code malformed JSON at line L, column C:}; a limit (string length, number length,
 * nesting) fails as {@code JSON exceeds a size limit: …} or {@code JSON is nested deeper…}.
 * Not thread-safe: one scanner reads one body.
 */
final class JsonScanner {
    /** Longest number accepted, in characters (as the rest of the protocol's parsers). */
    static final int MAX_NUMBER_CHARS = 64;

    private static final int IN_OBJECT = 1;
    private static final int IN_ARRAY = 2;

    /** Before the document's value. */
    private static final int ROOT = 0;
    /** After '{': a key or '}'. */
    private static final int FIRST_KEY = 1;
    /** After a key: ':' and a value. */
    private static final int AFTER_KEY = 2;
    /** After '[': a value or ']'. */
    private static final int FIRST_ITEM = 3;
    /** After a value: ',' or the container's end (or the end of input at the top). */
    private static final int AFTER_VALUE = 4;

    private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
    private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};
    private static final byte[] NULL = {'n', 'u', 'l', 'l'};
    private static final double[] POWERS_OF_TEN = new double[23];
    private static final int NAME_CACHE = 256;

    static {
        POWERS_OF_TEN[0] = 1;
        for (int i = 1; i < POWERS_OF_TEN.length; i++) {
            POWERS_OF_TEN[i] = POWERS_OF_TEN[i - 1] * 10;
        }
    }

    private final InputStream in;
    private byte[] buf;
    private int len;
    private int pos;
    /** Body offset of {@code buf[0]}. */
    private long base;
    /** Body offset before which bytes may be dropped. */
    private long keepFrom;

    private final int maxStringChars;
    /** Object or array, by depth (1 is the document's own value). */
    private final byte[] containers = new byte[Limits.MAX_JSON_DEPTH + 1];
    private int depth;
    private int state = ROOT;

    private JsonToken token;
    private int tokenStart;
    /** A string or key's bytes between the quotes, {@code [textStart, textEnd)}. */
    private int textStart;
    private int textEnd;
    /** True when the string has no escape and no byte over 0x7F: its characters are its bytes. */
    private boolean plain;
    /** Bytes of the string minus its UTF-16 characters (escapes and multi-byte sequences). */
    private int saved;
    private char[] chars = new char[128];
    private int charsLength = -1;
    private String name;
    private final String[] names = new String[NAME_CACHE];
    private final byte[][] nameBytes = new byte[NAME_CACHE][];
    /**
     * For each cached key, the slot of the key that followed it last time. Records repeat their
     * keys in the same order, so the next key is usually known before it is read: one comparison
     * of bytes instead of hashing it and looking it up.
     */
    private final int[] nextKey = new int[NAME_CACHE];
    private int lastKey;
    private int cachedSlot;

    private boolean longNumber;
    private long longValue;
    private boolean exponent;
    /** Decimal digits of a float without its point (when at most 18), and its power of ten. */
    private long mantissa;
    private int mantissaDigits;
    private int power;

    private int line = 1;
    private long lineStart;

    private JsonScanner(InputStream in, byte[] buf, int len, int maxStringChars) {
        this.in = in;
        this.buf = buf;
        this.len = len;
        this.maxStringChars = maxStringChars;
    }

    /** Scans a body held in memory. */
    static JsonScanner of(byte[] body, int maxStringChars) {
        return new JsonScanner(null, body, body.length, maxStringChars);
    }

    /** Scans a body read from a stream as needed, keeping only the bytes from {@link #keepFrom} on. */
    static JsonScanner of(InputStream body, int maxStringChars) {
        return new JsonScanner(body, new byte[32 * 1024], 0, maxStringChars);
    }

    // ------------------------------------------------------------------ what the current token is

    /** The key of a {@link JsonToken#FIELD_NAME} token; the same String for the same key while it stays cached. */
    String currentName() {
        return name;
    }

    /** The characters of a string token, from index 0 to {@link #textLength()}; valid until the next token. */
    char[] textChars() {
        decode();
        return chars;
    }

    /** The length, in UTF-16 characters, of a string token. */
    int textLength() {
        return textEnd - textStart - saved;
    }

    /** Whether the buffer holds {@code plain}'s bytes at {@code at}, then a closing quote. */
    private boolean isAt(byte[] plain, int at) {
        int end = at + plain.length;
        if (end >= len || buf[end] != '"') {
            return false;
        }
        byte[] b = buf;
        for (int i = 0; i < plain.length; i++) {
            if (b[at + i] != plain[i]) {
                return false;
            }
        }
        return true;
    }

    /** Whether a string token is exactly {@code ascii} (a word of ASCII characters). */
    boolean textIs(byte[] ascii) {
        if (plain) {
            int n = textEnd - textStart;
            if (n != ascii.length) {
                return false;
            }
            byte[] b = buf;
            for (int i = 0, at = textStart; i < n; i++, at++) {
                if (b[at] != ascii[i]) {
                    return false;
                }
            }
            return true;
        }
        decode();
        if (charsLength != ascii.length) {
            return false;
        }
        for (int i = 0; i < charsLength; i++) {
            if (chars[i] != ascii[i]) {
                return false;
            }
        }
        return true;
    }

    /** Whether a string token is empty or only whitespace ({@link Character#isWhitespace}). */
    boolean textIsBlank() {
        if (plain) {
            // A plain string holds no control character, so a space is its only whitespace.
            for (int i = textStart; i < textEnd; i++) {
                if (buf[i] != ' ') {
                    return false;
                }
            }
            return true;
        }
        decode();
        for (int i = 0; i < charsLength; i++) {
            if (!Character.isWhitespace(chars[i])) {
                return false;
            }
        }
        return true;
    }

    /** A string token as a String from the cache keys share, when it is plain: the same String each time it recurs. */
    String cachedText() {
        if (!plain) {
            return text();
        }
        int h = 0;
        for (int i = textStart; i < textEnd; i++) {
            h = 31 * h + buf[i];
        }
        return cachedName(h);
    }

    /** A string token as a String. */
    String text() {
        if (plain) {
            return new String(buf, textStart, textEnd - textStart, StandardCharsets.ISO_8859_1);
        }
        decode();
        return new String(chars, 0, charsLength);
    }

    /** Whether the current token is an integer within the range of a long. */
    boolean isLong() {
        return token == JsonToken.VALUE_NUMBER_INT && longNumber;
    }

    /** The value of an integer token that {@link #isLong()}. */
    long longValue() {
        return longValue;
    }

    /** Whether the current number has an exponent: only such a number can be out of the range of a double. */
    boolean hasExponent() {
        return exponent;
    }

    /** The value of a number token, rounded to the nearest double. */
    double doubleValue() {
        if (token == JsonToken.VALUE_NUMBER_INT && longNumber) {
            return longValue;
        }
        if (token == JsonToken.VALUE_NUMBER_FLOAT && !exponent && mantissaDigits <= 15 && power <= 22) {
            // Both operands are exact doubles, so the one rounding of the division is correct.
            double m = mantissa;
            return (buf[tokenStart] == '-' ? -m : m) / POWERS_OF_TEN[power];
        }
        return Double.parseDouble(new String(buf, tokenStart, pos - tokenStart, StandardCharsets.ISO_8859_1));
    }

    /** Body offset of the current token's first byte (a key's opening quote). */
    long tokenStart() {
        return base + tokenStart;
    }

    /** Body offset just past the current token. */
    long tokenEnd() {
        return base + pos;
    }

    // ------------------------------------------------------------------ the body's bytes

    /** Bytes before {@code offset} are no longer needed. */
    void keepFrom(long offset) {
        keepFrom = offset;
    }

    /** The body's byte at {@code offset}, which must still be kept. */
    byte byteAt(long offset) {
        return buf[(int) (offset - base)];
    }

    /** Appends the body's bytes {@code [from, to)}, which must still be kept, to {@code out}. */
    void copy(long from, long to, Bytes out) {
        out.write(buf, (int) (from - base), (int) (to - from));
    }

    // ------------------------------------------------------------------ scanning

    /**
     * Reads the next token.
     *
     * @return the token, or null at the end of the document
     * @throws InvalidInputException for malformed JSON or a limit passed
     * @throws IOException           when the stream fails
     */
    JsonToken nextToken() throws IOException {
        name = null;
        charsLength = -1;
        int c = skipSpace();
        tokenStart = pos;
        switch (state) {
            case ROOT -> {
                if (c == 0xEF) {
                    skipByteOrderMark();
                    c = skipSpace();
                    tokenStart = pos;
                }
                if (c < 0) {
                    return token = null;
                }
                if (c == 0 || c == 0xFE || c == 0xFF) {
                    // Records are copied byte for byte into frames and requests, which are UTF-8.
                    throw new InvalidInputException("request body must be JSON in UTF-8");
                }
                return value(c);
            }
            case FIRST_KEY -> {
                if (c == '}') {
                    return end();
                }
                return key(c);
            }
            case AFTER_KEY -> {
                if (c != ':') {
                    throw unexpected(c, "':' after a key");
                }
                pos++;
                c = skipSpace();
                tokenStart = pos;
                return value(c);
            }
            case FIRST_ITEM -> {
                if (c == ']') {
                    return end();
                }
                return value(c);
            }
            default -> {
                if (depth == 0) {
                    if (c < 0) {
                        return token = null;
                    }
                    throw error("more data after the end of the document: " + printable(c), pos);
                }
                boolean object = containers[depth] == IN_OBJECT;
                if (c == ',') {
                    pos++;
                    c = skipSpace();
                    tokenStart = pos;
                    return object ? key(c) : value(c);
                }
                if (c == (object ? '}' : ']')) {
                    return end();
                }
                throw unexpected(c, object ? "',' or '}'" : "',' or ']'");
            }
        }
    }

    private JsonToken end() {
        pos++;
        JsonToken t = containers[depth] == IN_OBJECT ? JsonToken.END_OBJECT : JsonToken.END_ARRAY;
        depth--;
        state = AFTER_VALUE;
        return token = t;
    }

    private JsonToken key(int c) throws IOException {
        if (c != '"') {
            throw unexpected(c, "a key in double quotes");
        }
        int guess = nextKey[lastKey];
        byte[] expected = nameBytes[guess];
        if (expected != null && isAt(expected, pos + 1)) {
            textStart = pos + 1;
            textEnd = textStart + expected.length;
            plain = true;
            saved = 0;
            pos = textEnd + 1;
            name = names[guess];
            lastKey = guess;
            state = AFTER_KEY;
            return token = JsonToken.FIELD_NAME;
        }
        // Most keys are short, plain and whole in the buffer: hashed as they are passed.
        int i = pos + 1;
        int h = 0;
        byte[] b = buf;
        int n = len;
        while (i < n) {
            int ch = b[i];
            if (ch < ' ' || ch == '"' || ch == '\\') {
                break;
            }
            h = 31 * h + ch;
            i++;
        }
        if (i < n && b[i] == '"') {
            textStart = pos + 1;
            textEnd = i;
            plain = true;
            saved = 0;
            pos = i;
            checkStringLength();
            pos++;
            name = cachedName(h);
            nextKey[lastKey] = cachedSlot;
            lastKey = cachedSlot;
        } else {
            scanString();
            name = cachedText();
        }
        state = AFTER_KEY;
        return token = JsonToken.FIELD_NAME;
    }

    private JsonToken value(int c) throws IOException {
        state = AFTER_VALUE;
        switch (c) {
            case '{' -> {
                push(IN_OBJECT);
                state = FIRST_KEY;
                return token = JsonToken.START_OBJECT;
            }
            case '[' -> {
                push(IN_ARRAY);
                state = FIRST_ITEM;
                return token = JsonToken.START_ARRAY;
            }
            case '"' -> {
                scanString();
                return token = JsonToken.VALUE_STRING;
            }
            case 't' -> {
                literal(TRUE);
                return token = JsonToken.VALUE_TRUE;
            }
            case 'f' -> {
                literal(FALSE);
                return token = JsonToken.VALUE_FALSE;
            }
            case 'n' -> {
                literal(NULL);
                return token = JsonToken.VALUE_NULL;
            }
            case 'N', 'I' -> throw new InvalidInputException("malformed JSON: NaN and Infinity are not valid JSON numbers");
            default -> {
                if (c == '-' || c >= '0' && c <= '9') {
                    return token = scanNumber();
                }
                throw unexpected(c, "a value");
            }
        }
    }

    private void push(int container) {
        if (depth == Limits.MAX_JSON_DEPTH) {
            throw new InvalidInputException("JSON is nested deeper than " + Limits.MAX_JSON_DEPTH + " levels");
        }
        containers[++depth] = (byte) container;
        pos++;
    }

    /** Skips whitespace; returns the next byte (0–255), or -1 at the end of input. */
    private int skipSpace() throws IOException {
        // The common case, no whitespace, small enough for C1 (the daemon's compiler) to inline:
        // an ASCII byte past the space (a non-ASCII one is negative here and takes the long way).
        int b;
        if (pos < len && (b = buf[pos]) > ' ') {
            return b;
        }
        return skipSpaceSlow();
    }

    private int skipSpaceSlow() throws IOException {
        for (;;) {
            if (pos == len && !fill()) {
                return -1;
            }
            int b = buf[pos] & 0xFF;
            if (b > ' ') {
                return b;
            }
            if (b == '\n') {
                line++;
                lineStart = base + pos + 1;
            } else if (b != ' ' && b != '\t' && b != '\r') {
                return b;
            }
            pos++;
        }
    }

    /** A UTF-8 byte order mark may open a document (RFC 8259, 8.1): it is passed over. */
    private void skipByteOrderMark() throws IOException {
        for (int b : new int[] {0xEF, 0xBB, 0xBF}) {
            if (peek() != b) {
                throw error("a document may start with a UTF-8 byte order mark, not with byte 0xEF alone", pos);
            }
            pos++;
        }
    }

    private void literal(byte[] word) throws IOException {
        for (byte w : word) {
            if (pos == len && !fill()) {
                throw error("unexpected end of input in a literal", pos);
            }
            if (buf[pos] != w) {
                throw error("unrecognised token; expected '" + new String(word, StandardCharsets.US_ASCII) + "'",
                        tokenStart);
            }
            pos++;
        }
    }

    /** Passes a string whose opening quote is at {@code pos}, checking it; leaves {@code pos} past the closing quote. */
    private void scanString() throws IOException {
        pos++;
        textStart = pos;
        plain = true;
        saved = 0;
        for (;;) {
            int i = pos;
            byte[] b = buf;
            int n = len;
            // The common case: printable ASCII, no escape.
            while (i < n) {
                int c = b[i];
                if (c < ' ' || c == '"' || c == '\\') {
                    break;
                }
                i++;
            }
            pos = i;
            if (pos == len) {
                checkStringLength();
                if (!fill()) {
                    throw error("unexpected end of input in a string", tokenStart);
                }
                continue;
            }
            int c = buf[pos];
            if (c == '"') {
                textEnd = pos;
                checkStringLength();
                pos++;
                return;
            }
            plain = false;
            if (c == '\\') {
                escape();
            } else if (c < 0) {
                multiByte(c & 0xFF);
            } else {
                throw error("a control character (code " + c + ") in a string must be escaped", pos);
            }
        }
    }

    private void checkStringLength() {
        int length = pos - textStart - saved;
        if (length > maxStringChars) {
            throw new InvalidInputException("JSON exceeds a size limit: String value length (" + length
                    + ") exceeds the maximum allowed (" + maxStringChars + ")");
        }
    }

    private void escape() throws IOException {
        require(2);
        int e = buf[pos + 1];
        switch (e) {
            case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> {
                pos += 2;
                saved += 1;
            }
            case 'u' -> {
                require(6);
                for (int k = 2; k < 6; k++) {
                    if (hex(buf[pos + k]) < 0) {
                        throw error("\\u must be followed by four hex digits", pos);
                    }
                }
                pos += 6;
                saved += 5;
            }
            default -> throw error("unrecognised escape '\\" + printable(e & 0xFF) + "' in a string", pos);
        }
    }

    /** Checks a UTF-8 sequence whose lead byte {@code lead} is at {@code pos} (RFC 3629: shortest form, no surrogates). */
    private void multiByte(int lead) throws IOException {
        int count;
        int min = 0x80;
        int max = 0xBF;
        if (lead >= 0xC2 && lead <= 0xDF) {
            count = 2;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            count = 3;
            if (lead == 0xE0) {
                min = 0xA0;
            } else if (lead == 0xED) {
                max = 0x9F;
            }
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            count = 4;
            if (lead == 0xF0) {
                min = 0x90;
            } else if (lead == 0xF4) {
                max = 0x8F;
            }
        } else {
            throw error("invalid UTF-8 byte 0x" + Integer.toHexString(lead).toUpperCase() + " in a string", pos);
        }
        require(count);
        int second = buf[pos + 1] & 0xFF;
        if (second < min || second > max) {
            throw error("invalid UTF-8 sequence in a string", pos);
        }
        for (int k = 2; k < count; k++) {
            if ((buf[pos + k] & 0xC0) != 0x80) {
                throw error("invalid UTF-8 sequence in a string", pos);
            }
        }
        pos += count;
        // Four bytes make a surrogate pair: two characters.
        saved += count == 4 ? 2 : count - 1;
    }

    private JsonToken scanNumber() throws IOException {
        boolean negative = peek() == '-';
        if (negative) {
            pos++;
        }
        int first = peek();
        if (first == 'I') {
            throw new InvalidInputException("malformed JSON: NaN and Infinity are not valid JSON numbers");
        }
        if (first < '0' || first > '9') {
            throw error("a number needs a digit after '-'", pos);
        }
        // Accumulated negative, so Long.MIN_VALUE fits.
        long acc = 0;
        boolean fits = true;
        int digits = 0;
        if (first == '0') {
            pos++;
            int next = peek();
            if (next >= '0' && next <= '9') {
                throw error("a number must not start with 0", tokenStart);
            }
        } else {
            int c;
            while ((c = peek()) >= '0' && c <= '9') {
                int d = c - '0';
                if (acc < -922_337_203_685_477_580L || acc == -922_337_203_685_477_580L && d > (negative ? 8 : 7)) {
                    fits = false;
                }
                acc = acc * 10 - d;
                digits++;
                pos++;
                checkNumberLength();
            }
        }
        mantissa = -acc;
        mantissaDigits = digits;
        power = 0;
        exponent = false;
        boolean isFloat = false;
        if (peek() == '.') {
            isFloat = true;
            pos++;
            int c;
            int fraction = 0;
            while ((c = peek()) >= '0' && c <= '9') {
                if (mantissaDigits < 18) {
                    mantissa = mantissa * 10 + (c - '0');
                    if (mantissa != 0) {
                        mantissaDigits++;
                    }
                    power++;
                } else {
                    mantissaDigits = 19;
                }
                fraction++;
                pos++;
                checkNumberLength();
            }
            if (fraction == 0) {
                throw error("a number needs a digit after '.'", tokenStart);
            }
        }
        int e = peek();
        if (e == 'e' || e == 'E') {
            isFloat = true;
            exponent = true;
            pos++;
            int sign = peek();
            if (sign == '+' || sign == '-') {
                pos++;
            }
            int c;
            int expDigits = 0;
            while ((c = peek()) >= '0' && c <= '9') {
                expDigits++;
                pos++;
                checkNumberLength();
            }
            if (expDigits == 0) {
                throw error("a number needs a digit in its exponent", tokenStart);
            }
        }
        if (isFloat) {
            return JsonToken.VALUE_NUMBER_FLOAT;
        }
        longNumber = fits;
        longValue = negative ? acc : -acc;
        return JsonToken.VALUE_NUMBER_INT;
    }

    private void checkNumberLength() {
        int length = pos - tokenStart;
        if (length > MAX_NUMBER_CHARS) {
            throw new InvalidInputException("JSON exceeds a size limit: Number value length (" + length
                    + ") exceeds the maximum allowed (" + MAX_NUMBER_CHARS + ")");
        }
    }

    /** The byte at {@code pos} (0–255), or -1 at the end of input. */
    private int peek() throws IOException {
        if (pos == len && !fill()) {
            return -1;
        }
        return buf[pos] & 0xFF;
    }

    /** Makes sure {@code n} bytes from {@code pos} are in the buffer; fails if the input ends first. */
    private void require(int n) throws IOException {
        while (len - pos < n) {
            if (!fill()) {
                throw error("unexpected end of input in a string", pos);
            }
        }
    }

    /**
     * Reads more of the stream into the buffer, first dropping the bytes no longer kept (none
     * of the current token's).
     *
     * @return false at the end of input
     */
    private boolean fill() throws IOException {
        if (in == null) {
            return false;
        }
        if (len == buf.length) {
            int drop = (int) Math.max(0, Math.min(keepFrom - base, tokenStart));
            if (drop > 0) {
                System.arraycopy(buf, drop, buf, 0, len - drop);
                len -= drop;
                pos -= drop;
                tokenStart -= drop;
                textStart -= drop;
                textEnd -= drop;
                base += drop;
            }
            if (len == buf.length) {
                buf = Arrays.copyOf(buf, buf.length * 2);
            }
        }
        int r = in.read(buf, len, buf.length - len);
        if (r <= 0) {
            return false;
        }
        len += r;
        return true;
    }

    // ------------------------------------------------------------------ strings

    /** The plain string token's String from the cache when its bytes (of hash {@code h}) recur, else made and cached. */
    private String cachedName(int h) {
        int slot = (h ^ h >>> 8) & (NAME_CACHE - 1);
        cachedSlot = slot;
        byte[] known = nameBytes[slot];
        if (known != null && textIs(known)) {
            return names[slot];
        }
        String s = new String(buf, textStart, textEnd - textStart, StandardCharsets.ISO_8859_1);
        names[slot] = s;
        nameBytes[slot] = Arrays.copyOfRange(buf, textStart, textEnd);
        return s;
    }

    /** Decodes the current string token into {@link #chars} (once per token). */
    private void decode() {
        if (charsLength >= 0) {
            return;
        }
        int n = textLength();
        if (chars.length < n) {
            chars = new char[Math.max(n, chars.length * 2)];
        }
        char[] out = chars;
        byte[] b = buf;
        int o = 0;
        if (plain) {
            for (int i = textStart; i < textEnd; i++) {
                out[o++] = (char) b[i];
            }
            charsLength = o;
            return;
        }
        int i = textStart;
        while (i < textEnd) {
            int c = b[i];
            if (c == '\\') {
                int e = b[i + 1];
                switch (e) {
                    case 'b' -> out[o++] = '\b';
                    case 'f' -> out[o++] = '\f';
                    case 'n' -> out[o++] = '\n';
                    case 'r' -> out[o++] = '\r';
                    case 't' -> out[o++] = '\t';
                    case 'u' -> {
                        out[o++] = (char) (hex(b[i + 2]) << 12 | hex(b[i + 3]) << 8 | hex(b[i + 4]) << 4 | hex(b[i + 5]));
                        i += 4;
                    }
                    default -> out[o++] = (char) e;
                }
                i += 2;
            } else if (c >= 0) {
                out[o++] = (char) c;
                i++;
            } else if ((c & 0xE0) == 0xC0) {
                out[o++] = (char) ((c & 0x1F) << 6 | b[i + 1] & 0x3F);
                i += 2;
            } else if ((c & 0xF0) == 0xE0) {
                out[o++] = (char) ((c & 0x0F) << 12 | (b[i + 1] & 0x3F) << 6 | b[i + 2] & 0x3F);
                i += 3;
            } else {
                int cp = (c & 0x07) << 18 | (b[i + 1] & 0x3F) << 12 | (b[i + 2] & 0x3F) << 6 | b[i + 3] & 0x3F;
                out[o++] = Character.highSurrogate(cp);
                out[o++] = Character.lowSurrogate(cp);
                i += 4;
            }
        }
        charsLength = o;
    }

    private static int hex(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        if (b >= 'a' && b <= 'f') {
            return b - 'a' + 10;
        }
        if (b >= 'A' && b <= 'F') {
            return b - 'A' + 10;
        }
        return -1;
    }

    // ------------------------------------------------------------------ errors

    /** An error at the current token, worded as malformed JSON (a duplicate key, for one). */
    InvalidInputException error(String message) {
        return error(message, tokenStart);
    }

    private InvalidInputException error(String message, int at) {
        long offset = base + at;
        return new InvalidInputException("malformed JSON at line " + line + ", column " + (offset - lineStart + 1)
                + ": " + message);
    }

    private InvalidInputException unexpected(int c, String expected) {
        if (c < 0) {
            return error("unexpected end of input; expected " + expected, pos);
        }
        return error("unexpected character " + printable(c) + "; expected " + expected, pos);
    }

    private static String printable(int c) {
        if (c >= ' ' && c < 0x7F) {
            return "'" + (char) c + "'";
        }
        return "(byte 0x" + Integer.toHexString(c).toUpperCase() + ")";
    }
}
