package org.dqwhisper.whisper.io;

import java.util.HashMap;
import java.util.Map;

/** Names of all pickle opcodes (protocols 0-5), for error messages only. */
final class PickleOpcodes {
    private static final Map<Integer, String> NAMES = new HashMap<>();

    static {
        String[][] table = {
            {"(", "MARK"}, {".", "STOP"}, {"0", "POP"}, {"1", "POP_MARK"}, {"2", "DUP"}, {"F", "FLOAT"},
            {"I", "INT"}, {"J", "BININT"}, {"K", "BININT1"}, {"L", "LONG"}, {"M", "BININT2"}, {"N", "NONE"},
            {"P", "PERSID"}, {"Q", "BINPERSID"}, {"R", "REDUCE"}, {"S", "STRING"}, {"T", "BINSTRING"},
            {"U", "SHORT_BINSTRING"}, {"V", "UNICODE"}, {"X", "BINUNICODE"}, {"a", "APPEND"}, {"b", "BUILD"},
            {"c", "GLOBAL"}, {"d", "DICT"}, {"}", "EMPTY_DICT"}, {"e", "APPENDS"}, {"g", "GET"}, {"h", "BINGET"},
            {"i", "INST"}, {"j", "LONG_BINGET"}, {"l", "LIST"}, {"]", "EMPTY_LIST"}, {"o", "OBJ"}, {"p", "PUT"},
            {"q", "BINPUT"}, {"r", "LONG_BINPUT"}, {"s", "SETITEM"}, {"t", "TUPLE"}, {")", "EMPTY_TUPLE"},
            {"u", "SETITEMS"}, {"G", "BINFLOAT"}, {"B", "BINBYTES"}, {"C", "SHORT_BINBYTES"},
        };
        for (String[] e : table) NAMES.put((int) e[0].charAt(0), e[1]);
        String[] high = {"PROTO", "NEWOBJ", "EXT1", "EXT2", "EXT4", "TUPLE1", "TUPLE2", "TUPLE3", "NEWTRUE", "NEWFALSE",
            "LONG1", "LONG4", "SHORT_BINUNICODE", "BINUNICODE8", "BINBYTES8",
            "EMPTY_SET", "ADDITEMS", "FROZENSET", "NEWOBJ_EX", "STACK_GLOBAL", "MEMOIZE", "FRAME",
            "BYTEARRAY8", "NEXT_BUFFER", "READONLY_BUFFER"};
        for (int i = 0; i < high.length; i++) NAMES.put(0x80 + i, high[i]);
    }

    private PickleOpcodes() {}

    static boolean isKnown(int op) {
        return NAMES.containsKey(op);
    }

    /** E.g. {@code BUILD (0x62)} or {@code 0xff} for an unknown byte. */
    static String describe(int op) {
        String name = NAMES.get(op);
        String hex = String.format("0x%02x", op);
        return name == null ? hex : name + " (" + hex + ")";
    }
}
