package org.dqwhisper.corpus;

import java.util.List;

/**
 * What corpus to build. Per language, {@code round(perLanguage * testFraction)} utterances go to test and
 * {@code round(perLanguage * devFraction)} to dev (at least one each when the fraction is positive), the rest to
 * train. Test and dev sentences are distinct from each other and from training sentences.
 *
 * @param seed         master seed of every random choice
 * @param perLanguage  utterances per language
 * @param languages    Whisper codes, see {@link CorpusLanguage#all()}
 * @param devFraction  share of dev utterances, [0, 0.5)
 * @param testFraction share of test utterances, (0, 0.5)
 * @param extraSentences null, or a folder of {@code <code>.txt} sentence files (the built-in format) whose sentences
 *                       are added to the training split only, each spoken once, after the regular training
 *                       utterances: a larger training set for a teacher with the same dev and test splits. None
 *                       of them may be a built-in sentence (that could put a dev or test sentence into training).
 */
public record CorpusConfig(long seed, int perLanguage, List<String> languages, double devFraction,
                           double testFraction, java.nio.file.Path extraSentences) {
    public CorpusConfig(long seed, int perLanguage, List<String> languages, double devFraction, double testFraction) {
        this(seed, perLanguage, languages, devFraction, testFraction, null);
    }

    public static final long DEFAULT_SEED = 1234;
    public static final int DEFAULT_PER_LANGUAGE = 60;
    public static final double DEFAULT_DEV_FRACTION = 0.1;
    public static final double DEFAULT_TEST_FRACTION = 0.2;

    public CorpusConfig {
        if (perLanguage < 3) {
            throw new IllegalArgumentException("need at least 3 utterances per language (train, dev, test), got "
                + perLanguage);
        }
        if (languages == null || languages.isEmpty()) {
            throw new IllegalArgumentException("no languages given");
        }
        languages = languages.stream().map(code -> CorpusLanguage.byCode(code).code()).distinct().toList();
        if (!(devFraction >= 0 && devFraction < 0.5)) {
            throw new IllegalArgumentException("dev fraction must be in [0, 0.5), got " + devFraction);
        }
        if (!(testFraction > 0 && testFraction < 0.5)) {
            throw new IllegalArgumentException("test fraction must be in (0, 0.5), got " + testFraction);
        }
        if (count(perLanguage, devFraction) + count(perLanguage, testFraction) >= perLanguage) {
            throw new IllegalArgumentException("with " + perLanguage + " utterances per language, dev and test leave"
                + " nothing for training");
        }
    }

    /** The default corpus: 8 languages x 60 utterances, seed 1234, 10% dev, 20% test. */
    public static CorpusConfig defaults() {
        return new CorpusConfig(DEFAULT_SEED, DEFAULT_PER_LANGUAGE, CorpusLanguage.DEFAULT_CODES,
            DEFAULT_DEV_FRACTION, DEFAULT_TEST_FRACTION);
    }

    public CorpusConfig withSeed(long newSeed) {
        return new CorpusConfig(newSeed, perLanguage, languages, devFraction, testFraction, extraSentences);
    }

    /** Utterances of {@code split} per language. */
    public int count(Split split) {
        int dev = count(perLanguage, devFraction);
        int test = count(perLanguage, testFraction);
        return switch (split) {
            case TRAIN -> perLanguage - dev - test;
            case DEV -> dev;
            case TEST -> test;
        };
    }

    private static int count(int n, double fraction) {
        return fraction == 0 ? 0 : Math.max(1, (int) Math.round(n * fraction));
    }
}
