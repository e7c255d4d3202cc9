namespace Nexus.Plugins.Samples;

/// <summary>Randomness that can be replayed: a task's <c>seed</c> arg, or a fresh one that the result reports.</summary>
internal static class Seeds
{
    /// <summary>The seed to use: <paramref name="requested"/>, or a new random non-negative one.</summary>
    public static int Resolve(int? requested) => requested ?? System.Security.Cryptography.RandomNumberGenerator.GetInt32(int.MaxValue);
}
