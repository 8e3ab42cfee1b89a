package dev.aqlm.spark.eval;

/**
 * Python's {@code random.Random}: the MT19937 Mersenne Twister, seeded from an integer the way CPython seeds it
 * ({@code init_by_array} over the integer's 32-bit words), with CPython's 53-bit {@code random()} and the
 * unweighted {@code choices()}. lm-eval's bootstrap standard errors draw from it, so matching them bit for bit needs
 * exactly this generator.
 */
public final class PythonRandom {
    private static final int N = 624;
    private static final int M = 397;
    private static final int UPPER_MASK = 0x80000000;
    private static final int LOWER_MASK = 0x7fffffff;
    private static final int MATRIX_A = 0x9908b0df;

    private final int[] state = new int[N];
    private int index = N + 1;

    /** {@code random.Random(seed)} for a non-negative integer seed. */
    public PythonRandom(long seed) {
        if (seed < 0) {
            throw new IllegalArgumentException("Python seeds with abs(seed); pass a non-negative seed, got " + seed);
        }
        int high = (int) (seed >>> 32);
        initByArray(high == 0 ? new int[] {(int) seed} : new int[] {(int) seed, high});
    }

    /** The generator seeded with {@code init_by_array(key)}, as in the MT19937 reference code. */
    public static PythonRandom fromKey(int[] key) {
        PythonRandom random = new PythonRandom(0);
        random.initByArray(key);
        return random;
    }

    private void initGenrand(int seed) {
        state[0] = seed;
        for (int i = 1; i < N; i++) {
            state[i] = 1812433253 * (state[i - 1] ^ (state[i - 1] >>> 30)) + i;
        }
        index = N;
    }

    private void initByArray(int[] key) {
        initGenrand(19650218);
        int i = 1;
        int j = 0;
        for (int k = Math.max(N, key.length); k > 0; k--) {
            state[i] = (state[i] ^ ((state[i - 1] ^ (state[i - 1] >>> 30)) * 1664525)) + key[j] + j;
            i++;
            j++;
            if (i >= N) {
                state[0] = state[N - 1];
                i = 1;
            }
            if (j >= key.length) {
                j = 0;
            }
        }
        for (int k = N - 1; k > 0; k--) {
            state[i] = (state[i] ^ ((state[i - 1] ^ (state[i - 1] >>> 30)) * 1566083941)) - i;
            i++;
            if (i >= N) {
                state[0] = state[N - 1];
                i = 1;
            }
        }
        state[0] = UPPER_MASK;
    }

    /** The next 32 random bits, as an unsigned value ({@code genrand_int32}). */
    public long nextUnsignedInt() {
        return Integer.toUnsignedLong(nextInt());
    }

    private int nextInt() {
        if (index >= N) {
            twist();
        }
        int y = state[index++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        return y;
    }

    private void twist() {
        for (int k = 0; k < N; k++) {
            int y = (state[k] & UPPER_MASK) | (state[(k + 1) % N] & LOWER_MASK);
            state[k] = state[(k + M) % N] ^ (y >>> 1) ^ ((y & 1) == 0 ? 0 : MATRIX_A);
        }
        index = 0;
    }

    /** {@code random()}: a double in [0, 1) from 53 random bits (27 + 26, as CPython combines them). */
    public double random() {
        long a = nextInt() >>> 5 & 0xffffffffL;
        long b = nextInt() >>> 6 & 0xffffffffL;
        return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0);
    }

    /** The index {@code choices(population, k=1)} picks from a population of {@code n}: floor(random() * n). */
    public int choiceIndex(int n) {
        return (int) Math.floor(random() * n);
    }

    /** {@code choices(values, k=values.length)}: a resample with replacement. */
    public double[] resample(double[] values) {
        double[] drawn = new double[values.length];
        for (int i = 0; i < drawn.length; i++) {
            drawn[i] = values[choiceIndex(values.length)];
        }
        return drawn;
    }
}
