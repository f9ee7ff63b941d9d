package org.dqwhisper.decode.output;

import java.util.EnumSet;
import java.util.List;
import java.util.Locale;

/** The output formats of whisper's {@code --output_format}: one format, or {@link #ALL} of them. */
public enum OutputFormat {
    TXT(new TxtWriter()),
    VTT(new VttWriter()),
    SRT(new SrtWriter()),
    TSV(new TsvWriter()),
    JSON(new JsonWriter()),
    /** Every format above, in whisper's order (txt, vtt, srt, tsv, json). */
    ALL(null);

    private final ResultWriter writer;

    OutputFormat(ResultWriter writer) {
        this.writer = writer;
    }

    /** The writer of a single format. */
    public ResultWriter writer() {
        if (writer == null) {
            throw new IllegalStateException("ALL is a set of formats; use formats()");
        }
        return writer;
    }

    /** The single formats this one stands for. */
    public List<OutputFormat> formats() {
        return this == ALL ? List.copyOf(EnumSet.range(TXT, JSON)) : List.of(this);
    }

    /** Parses {@code txt|vtt|srt|tsv|json|all}, ignoring case. */
    public static OutputFormat parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "unknown output format '" + name + "'; expected one of txt, vtt, srt, tsv, json, all", e);
        }
    }
}
