using System.Text;

namespace Pipeline.StandInModels.Onnx;

/// <summary>
/// PCG32 generator for stand-in weights. Each tensor gets its own stream derived from (seed, tensor name),
/// so adding a tensor to a graph does not change the values of the others.
/// </summary>
public sealed class DeterministicRandom
{
    private const ulong Multiplier = 6364136223846793005UL;
    private ulong _state;
    private readonly ulong _increment;

    public DeterministicRandom(ulong seed, ulong stream = 0)
    {
        _increment = (stream << 1) | 1UL;
        _state = 0;
        NextUInt32();
        _state += SplitMix64(seed);
        NextUInt32();
    }

    public static DeterministicRandom ForTensor(long seed, string tensorName) =>
        new(unchecked((ulong)seed), Fnv1a64(tensorName));

    public uint NextUInt32()
    {
        var old = _state;
        _state = unchecked(old * Multiplier + _increment);
        var xorShifted = (uint)(((old >> 18) ^ old) >> 27);
        var rotation = (int)(old >> 59);
        return (xorShifted >> rotation) | (xorShifted << (-rotation & 31));
    }

    /// <summary>Uniform in [0, 1) with 24 bits, exactly representable as a float.</summary>
    public double NextUniform() => (NextUInt32() >> 8) * (1.0 / (1 << 24));

    /// <summary>
    /// Approximately standard normal (Irwin-Hall sum of four uniforms, rescaled to unit variance).
    /// Only additions and multiplications, unlike Box-Muller's Log/Cos, so the bits are the same on every
    /// CPU and runtime and equal seeds give byte-identical model files.
    /// </summary>
    public double NextNormal()
    {
        var sum = NextUniform() + NextUniform() + NextUniform() + NextUniform();
        return (sum - 2.0) * Sqrt3;
    }

    private const double Sqrt3 = 1.7320508075688772;

    private static ulong SplitMix64(ulong x)
    {
        unchecked
        {
            x += 0x9E3779B97F4A7C15UL;
            x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
            x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
            return x ^ (x >> 31);
        }
    }

    // string.GetHashCode is randomised per process; the stream must be stable across runs.
    private static ulong Fnv1a64(string text)
    {
        var hash = 0xCBF29CE484222325UL;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash = unchecked((hash ^ b) * 0x100000001B3UL);
        }

        return hash;
    }
}
