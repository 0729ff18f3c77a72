package org.recspark.sampledata;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RecentCategoryClicksTest {

    @Test
    void remembersTheLastClickPerCategoryUntilForgotten() {
        RecentCategoryClicks clicks = new RecentCategoryClicks();
        for (int category = 0; category < 10; category++) {
            clicks.record(category, 100 + category);
        }
        clicks.record(3, 500);
        assertTrue(clicks.clickedSince(3, 500));
        assertFalse(clicks.clickedSince(3, 501));
        assertTrue(clicks.clickedSince(9, 109));
        assertFalse(clicks.clickedSince(10, 0));

        clicks.forgetBefore(105);
        assertFalse(clicks.clickedSince(4, 0), "forgotten");
        assertTrue(clicks.clickedSince(5, 105));
        assertTrue(clicks.clickedSince(3, 500));
    }
}
