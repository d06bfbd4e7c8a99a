namespace StreamingApi.Runs;

/// <summary>
/// New run ids: 16 lowercase hex digits of the system's cryptographic randomness, so that an id cannot be guessed from
/// another. The bytes are the random ones of a version 4 <see cref="Guid"/>, which .NET draws from the operating
/// system's cryptographically secure generator (122 random bits; its version and variant bits are left out here): unlike
/// <c>RandomNumberGenerator</c>, that needs no OpenSSL, whose loading and set-up cost a process's first run start about
/// 20 ms.
/// </summary>
internal static class RunIds
{
    public static string New()
    {
        Span<byte> guid = stackalloc byte[16];
        Guid.NewGuid().TryWriteBytes(guid);
        // Bytes 0 – 5 and 9 – 15 are random; 6 – 7 hold the version and 8 the variant.
        Span<byte> id = stackalloc byte[8];
        guid[..6].CopyTo(id);
        guid.Slice(9, 2).CopyTo(id[6..]);
        var text = Convert.ToHexStringLower(id);
        guid.Clear(); // the id's bytes are not left on the stack
        id.Clear();
        return text;
    }
}
