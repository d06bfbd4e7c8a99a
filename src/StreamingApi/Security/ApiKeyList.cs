using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace StreamingApi.Security;

/// <summary>
/// The configured API keys, read once: each entry's hash decoded from its hex, and its principal
/// (<c>apikey:&lt;name&gt;</c>) and the authentication result that carries it made, so that a request pays only for the
/// hash of the key it sends. A key's result is shared by its requests: nothing changes a principal once it is made.
/// </summary>
public sealed class ApiKeyList(IOptions<AuthOptions> options)
{
    private readonly Entry[] _entries = [.. options.Value.ApiKeys.Select(entry => new Entry(entry.Name, Hash(entry.Sha256)))];

    /// <summary>
    /// The principal of the entry whose hash is the key's, comparing every entry in constant time; null when none is.
    /// </summary>
    public string? PrincipalOf(ReadOnlySpan<char> key) => Find(key)?.Principal;

    /// <summary>The successful authentication of the entry whose hash is the key's (see <see cref="PrincipalOf"/>); null when none is.</summary>
    public Task<AuthenticateResult>? AuthenticationOf(ReadOnlySpan<char> key) => Find(key)?.Authentication;

    private Entry? Find(ReadOnlySpan<char> key)
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
        Entry? found = null;
        foreach (var entry in _entries)
            if (entry.Hash.Length == hash.Length && CryptographicOperations.FixedTimeEquals(hash, entry.Hash) && found is null) found = entry;
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

    /// <summary>One configured key: its principal, its hash, and the result of a request authenticated by it.</summary>
    private sealed class Entry(string name, byte[] hash)
    {
        public string Principal { get; } = ApiKeyAuthenticationHandler.PrincipalPrefix + name;

        public byte[] Hash { get; } = hash;

        public Task<AuthenticateResult> Authentication { get; } = Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(
            SchemePrincipal.Of(AuthSchemes.ApiKey, ApiKeyAuthenticationHandler.PrincipalPrefix + name), AuthSchemes.ApiKey)));
    }
}
