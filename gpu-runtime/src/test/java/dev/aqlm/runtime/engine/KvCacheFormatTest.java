package dev.aqlm.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aqlm.runtime.Fixtures;
import dev.aqlm.runtime.LanguageModel;
import org.junit.jupiter.api.Test;

/** Sizes, capacity and option checks of the KV cache format. */
class KvCacheFormatTest {
    /** Llama-2-7B: 32 layers, 32 KV heads of 128. */
    private static final KvCacheShape LLAMA_2_7B = new KvCacheShape(32, 32, 128);
    private static final int FP16 = 2;

    @Test
    void bytesPerTokenOnTheLlama2ShapeFollowTheLayout() {
        // fp16: 2 (k, v) x 32 layers x 4096 x 2 bytes.
        assertEquals(524_288, KvCacheFormat.bits(16).bytesPerToken(LLAMA_2_7B, FP16));
        // 4 bits, group 64: keys 4096 x (0.5 + 4/64) = 2304 bytes; values 4096 x 0.5 + 64 groups x 4 = 2304 bytes.
        assertEquals(32 * 4608, KvCacheFormat.bits(4).bytesPerToken(LLAMA_2_7B, FP16));
        assertEquals(32 * (2 * 4096 + 2 * 256), KvCacheFormat.bits(8).bytesPerToken(LLAMA_2_7B, FP16));
        assertEquals(32 * (2 * 1024 + 2 * 256), KvCacheFormat.bits(2).bytesPerToken(LLAMA_2_7B, FP16));
    }

    @Test
    void aSlotAddsTheResidualWindowInTheActivationType() {
        KvCacheFormat format = KvCacheFormat.bits(4);
        long packed = (long) (format.bytesPerToken(LLAMA_2_7B, FP16) * 4096);
        // The window, the block waiting to fill and a verification chunk's rows, in fp16.
        long window = 2L * 32 * (128 + 64 + KvCacheFormat.VERIFICATION_ROWS) * 4096 * FP16;
        assertEquals(packed + window, format.bytesPerSlot(LLAMA_2_7B, 4096, FP16));
        // 22 GiB left beside the weights: 11 fp16 slots of 4096 positions (2 GiB each), 32 at 4 bits (704 MiB each:
        // 576 MiB of codes and group parameters, 128 MiB of fp16 window, waiting block and verification rows).
        long free = 22L << 30;
        assertEquals(11, KvCacheFormat.bits(16).slotsThatFit(LLAMA_2_7B, 4096, FP16, free));
        assertEquals(free / (packed + window), format.slotsThatFit(LLAMA_2_7B, 4096, FP16, free));
        assertEquals(32, format.slotsThatFit(LLAMA_2_7B, 4096, FP16, free));
    }

    @Test
    void autoSlotsTakeTheFreeShareAndNeverZero() {
        SlotCapacity capacity = new SlotCapacity(KvCacheFormat.bits(8), LLAMA_2_7B, 2048, 4, 10L << 30);
        assertEquals((long) (0.8 * (10L << 30)) / capacity.bytesPerSlot(), capacity.autoSlots());
        assertTrue(capacity.describe(capacity.autoSlots()).contains("8-bit (group 64, residual 128)"));
        SlotCapacity tooSmall = new SlotCapacity(KvCacheFormat.bits(16), LLAMA_2_7B, 4096, 4, 1L << 30);
        InvalidRequestException e = assertThrows(InvalidRequestException.class, tooSmall::autoSlots);
        assertTrue(e.getMessage().contains("--context-length"), e.getMessage());
    }

    @Test
    void badSettingsNameTheirOption() {
        assertTrue(assertThrows(InvalidRequestException.class, () -> KvCacheFormat.bits(3)).getMessage()
                .contains("--kv-cache-bits must be 16, 8, 4 or 2"));
        assertTrue(assertThrows(InvalidRequestException.class, () -> new KvCacheFormat(4, 12, 128)).getMessage()
                .contains("--kv-group-size"));
        assertTrue(assertThrows(InvalidRequestException.class, () -> new KvCacheFormat(4, 64, -1)).getMessage()
                .contains("--kv-residual-length"));
    }

    @Test
    void aGroupThatDoesNotTileTheHeadIsRefusedAtLoad() {
        // llama-tiny's heads are 32 wide: value groups of 24 channels cannot tile them (wider groups are capped at 32).
        EngineOptions options = EngineOptions.cpu().withSlots(1).withContextLength(32)
                .withKvCache(new KvCacheFormat(4, 24, 8));
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> LanguageModel.load(Fixtures.model("llama-tiny-fp16"), options));
        assertTrue(e.getMessage().contains("--kv-group-size 24 does not divide the head dimension 32"), e.getMessage());
    }

    @Test
    void slotsAutoOnTheCpuSizesTheCacheFromTheHeap() {
        EngineOptions options = EngineOptions.cpu().withSlots(EngineOptions.AUTO_SLOTS).withContextLength(64)
                .withKvCache(new KvCacheFormat(4, 8, 8));
        try (LanguageModel model = LanguageModel.load(Fixtures.model("llama-tiny-fp16"), options)) {
            // A tiny model's 64-position slot takes a few KiB: the heap holds more than the cap.
            assertEquals(SlotCapacity.AUTO_MAX_SLOTS, model.backend().slotCount());
        }
    }
}
