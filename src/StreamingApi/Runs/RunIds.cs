using System.Security.Cryptography;

namespace StreamingApi.Runs;

/// <summary>
/// New run ids: 16 lowercase hex digits of the system's cryptographic randomness, so that an id cannot be guessed from
/// another. Each thread draws the bytes of 64 ids at a time: one call into the system's generator per 64 runs started,
/// not one per run (at hundreds of starts a second that call, and its lock, showed in profiles).
/// </summary>
internal static class RunIds
{
    private const int IdBytes = 8;
    private const int IdsPerDraw = 64;

    [ThreadStatic]
    private static byte[]? t_random;

    [ThreadStatic]
    private static int t_next;

    public static string New()
    {
        var random = t_random ??= new byte[IdBytes * IdsPerDraw];
        if (t_next == 0) RandomNumberGenerator.Fill(random);
        var bytes = random.AsSpan(t_next, IdBytes);
        var id = Convert.ToHexStringLower(bytes);
        bytes.Clear(); // a used id's bytes are not kept
        t_next = (t_next + IdBytes) % random.Length;
        return id;
    }
}
