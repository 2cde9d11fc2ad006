package io.tributary.common.registry;

import io.tributary.common.config.Metric;
import org.junit.jupiter.api.Test;

import java.util.OptionalDouble;

import static org.junit.jupiter.api.Assertions.*;

/** The promotion rule on fixed numbers, each with the decision and sentence it must give. */
class PromotionTest {
    private static final OptionalDouble NONE = OptionalDouble.empty();

    @Test
    void aChallengerBetterByTheMarginIsPromoted() {
        Promotion p = Promotion.decide(Metric.ACCURACY, OptionalDouble.of(0.8750), "000001", 0.8770, 0.002, null);
        assertTrue(p.promoted());
        assertEquals("accuracy 0.8770 vs champion 000001's 0.8750: better by 0.0020 meets the required 0.0020",
                p.reason());
    }

    @Test
    void aChallengerShortOfTheMarginIsRejected() {
        Promotion p = Promotion.decide(Metric.ACCURACY, OptionalDouble.of(0.8750), "000001", 0.8765, 0.002, null);
        assertFalse(p.promoted());
        assertEquals("accuracy 0.8765 vs champion 000001's 0.8750: better by 0.0015 is short of the required 0.0020",
                p.reason());
    }

    @Test
    void aWorseChallengerIsRejectedEvenWithoutAMargin() {
        Promotion p = Promotion.decide(Metric.MACRO_F1, OptionalDouble.of(0.80), "000004", 0.79, 0.0, null);
        assertFalse(p.promoted());
        assertEquals("macro-f1 0.7900 vs champion 000004's 0.8000: worse by 0.0100 is short of the required 0.0000",
                p.reason());
    }

    @Test
    void forLossLowerIsBetter() {
        assertTrue(Promotion.decide(Metric.LOSS, OptionalDouble.of(0.40), "000002", 0.35, 0.01, null).promoted());
        assertFalse(Promotion.decide(Metric.LOSS, OptionalDouble.of(0.40), "000002", 0.45, 0.0, null).promoted());
        Promotion aboveFloor = Promotion.decide(Metric.LOSS, NONE, null, 0.6, 0.0, 0.5);
        assertFalse(aboveFloor.promoted());
        assertEquals("loss 0.6000 is above the floor 0.5000", aboveFloor.reason());
    }

    @Test
    void theFirstModelIsPromotedWhenItPassesTheFloor() {
        Promotion first = Promotion.decide(Metric.ACCURACY, NONE, null, 0.7356, 0.002, null);
        assertTrue(first.promoted());
        assertEquals("first model: accuracy 0.7356", first.reason());
        Promotion below = Promotion.decide(Metric.ACCURACY, NONE, null, 0.70, 0.002, 0.80);
        assertFalse(below.promoted());
        assertEquals("accuracy 0.7000 is below the floor 0.8000", below.reason());
        assertTrue(Promotion.decide(Metric.ACCURACY, NONE, null, 0.85, 0.002, 0.80).promoted());
    }

    @Test
    void aChallengerThatIsNotANumberIsNeverPromoted() {
        assertFalse(Promotion.decide(Metric.ACCURACY, NONE, null, Double.NaN, 0.0, null).promoted());
    }
}
