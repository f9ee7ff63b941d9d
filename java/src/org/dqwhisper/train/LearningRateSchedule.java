package org.dqwhisper.train;

import java.util.Locale;

/**
 * Linear warm-up to the peak rate, then a cosine or linear decay to {@code minRatio · peak} at
 * {@code totalSteps} (or a constant rate). Step s (0-based: the s-th optimizer update) gets
 * {@code peak · (s + 1) / warmup} during warm-up, so the first update already moves the weights.
 */
public record LearningRateSchedule(double peak, long warmupSteps, long totalSteps, Decay decay, double minRatio) {
    public enum Decay {
        COSINE, LINEAR, CONSTANT;

        public static Decay parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown decay '" + s + "' (expected cosine, linear or constant)");
            }
        }
    }

    public LearningRateSchedule {
        if (!(peak >= 0) || !Double.isFinite(peak)) throw new IllegalArgumentException("learning rate must be finite and >= 0, got " + peak);
        if (warmupSteps < 0) throw new IllegalArgumentException("warm-up steps must be >= 0, got " + warmupSteps);
        if (totalSteps < 1) throw new IllegalArgumentException("total steps must be >= 1, got " + totalSteps);
        if (!(minRatio >= 0 && minRatio <= 1)) throw new IllegalArgumentException("minimum ratio must be in [0, 1], got " + minRatio);
        if (decay == null) throw new IllegalArgumentException("decay is null");
    }

    /** The learning rate of update {@code step} (0-based). */
    public double at(long step) {
        if (step < 0) throw new IllegalArgumentException("step must be >= 0, got " + step);
        if (step < warmupSteps) return peak * (step + 1) / warmupSteps;
        if (decay == Decay.CONSTANT) return peak;
        long span = totalSteps - warmupSteps;
        double progress = span <= 0 ? 1 : Math.min(1.0, (double) (step - warmupSteps) / span);
        double shape = decay == Decay.COSINE ? 0.5 * (1 + Math.cos(Math.PI * progress)) : 1 - progress;
        return peak * (minRatio + (1 - minRatio) * shape);
    }
}
