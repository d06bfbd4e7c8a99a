using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace StreamingApi.Security;

/// <summary>
/// The configured API keys, read once: each entry's hash decoded from its hex and its principal
/// (<c>apikey:&lt;name&gt;</c>) made, so that a request pays only for the hash of the key it sends.
/// </summary>
public sealed class ApiKeyList(IOptions<AuthOptions> options)
{
    private readonly (string Principal, byte[] Hash)[] _entries =
        [.. options.Value.ApiKeys.Select(entry => (ApiKeyAuthenticationHandler.PrincipalPrefix + entry.Name, Hash(entry.Sha256)))];

    /// <summary>
    /// The principal of the entry whose hash is the key's, comparing every entry in constant time; null when none is.
    /// </summary>
    public string? PrincipalOf(ReadOnlySpan<char> key)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        var length = Encoding.UTF8.GetByteCount(key);
        var rented = length > 512 ? ArrayPool<byte>.Shared.Rent(length) : null;
        try
        {
            var bytes = rented is null ? stackalloc byte[length] : rented.AsSpan(0, length);
            Encoding.UTF8.GetBytes(key, bytes);
            SHA256.HashData(bytes, hash);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
        string? found = null;
        foreach (var (principal, expected) in _entries)
            if (expected.Length == hash.Length && CryptographicOperations.FixedTimeEquals(hash, expected) && found is null) found = principal;
        return found;
    }

    /// <summary>The bytes of a hex hash; empty when it is not hex (configuration is validated at start-up).</summary>
    internal static byte[] Hash(string hex)
    {
        try
        {
            return Convert.FromHexString(hex.Trim());
        }
        catch (FormatException)
        {
            return [];
        }
    }
}
