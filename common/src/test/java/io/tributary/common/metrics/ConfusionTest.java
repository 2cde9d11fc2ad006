package io.tributary.common.metrics;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfusionTest {
    @Test
    void countsAgreeWithADenseMatrixAcrossMergesAndGrowth() {
        Random rng = new Random(7);
        int k = 37;
        long[][] expected = new long[k][k];
        Confusion total = new Confusion(k);
        for (int part = 0; part < 5; part++) {
            Confusion c = new Confusion(k);
            for (int i = 0; i < 2_000; i++) {
                int a = rng.nextInt(k);
                int p = rng.nextInt(4) == 0 ? rng.nextInt(k) : a;
                c.add(a, p, 1);
                expected[a][p]++;
            }
            total.addAll(c);
        }
        assertTrue(total.isSmall());
        long[][] dense = total.dense();
        for (int a = 0; a < k; a++) assertArrayEquals(expected[a], dense[a], "row " + a);
        ClassificationReport fromCells = ClassificationReport.of(total);
        ClassificationReport fromMatrix = ClassificationReport.of(expected);
        assertEquals(10_000, fromCells.examples());
        assertEquals(fromMatrix.accuracy(), fromCells.accuracy());
        assertEquals(fromMatrix.perClass(), fromCells.perClass());
        assertTrue(fromCells.accuracy() > 0.7 && fromCells.accuracy() < 0.8, "three in four are right by construction");
    }

    @Test
    void thirtyThousandClassesCostTheCellsSeenNotTheirSquare() {
        int k = 30_000;
        Confusion c = new Confusion(k);
        c.add(29_999, 3, 2);
        c.add(0, 0, 5);
        c.add(29_999, 3, 1);
        assertFalse(c.isSmall());
        assertEquals(List.of(List.of(0L, 0L, 5L), List.of(29_999L, 3L, 3L)),
                c.cells().stream().map(a -> List.of(a[0], a[1], a[2])).toList());
        assertEquals(3, c.count(29_999, 3));
        assertEquals(0, c.count(3, 29_999));
        assertThrows(IllegalStateException.class, c::dense);
        ClassificationReport r = ClassificationReport.of(c);
        assertEquals(8, r.examples());
        assertEquals(5 / 8.0, r.accuracy());
        assertTrue(r.toMap().containsKey("confusion_cells"));
        assertFalse(r.toMap().containsKey("confusion_matrix"));
    }

    @Test
    void aClassOutsideTheMatrixIsRefused() {
        Confusion c = new Confusion(10);
        assertThrows(IllegalArgumentException.class, () -> c.add(10, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> c.add(0, -1, 1));
    }
}
