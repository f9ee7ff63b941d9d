package org.dqwhisper.kernels;

/** CPU instruction-set paths of the native kernels, lowest first (values match native/include/dqw/cpu.h). */
public enum Isa {
    SCALAR(0), AVX2(1), AVX512(2);

    private final int level;

    Isa(int level) {
        this.level = level;
    }

    public int level() {
        return level;
    }

    public static Isa ofLevel(int level) {
        for (Isa i : values()) if (i.level == level) return i;
        throw new IllegalArgumentException("unknown ISA level " + level);
    }

    /** Parses "scalar", "avx2" or "avx512" (case-insensitive). */
    public static Isa parse(String s) {
        if (s == null) throw new IllegalArgumentException("ISA name is null");
        switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "scalar": return SCALAR;
            case "avx2": return AVX2;
            case "avx512": case "avx512vnni": case "avx512-vnni": return AVX512;
            default: throw new IllegalArgumentException("unknown ISA '" + s + "' (expected scalar, avx2 or avx512)");
        }
    }
}
