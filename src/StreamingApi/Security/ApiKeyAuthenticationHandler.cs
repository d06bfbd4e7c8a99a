using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace StreamingApi.Security;

/// <summary>
/// API keys, sent as <c>Authorization: Bearer &lt;key&gt;</c> or <c>X-Api-Key: &lt;key&gt;</c>. The key's SHA-256 is
/// compared in constant time with every configured hash (configuration holds hashes, never keys); the principal is
/// <c>apikey:&lt;name&gt;</c>, so that a key's name never passes for a token's subject.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptions<AuthOptions> auth)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string PrincipalPrefix = "apikey:";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? key = Request.Headers[AuthSchemes.ApiKeyHeader];
        key ??= SchemeSelector.BearerToken(Request);
        if (string.IsNullOrEmpty(key)) return Task.FromResult(AuthenticateResult.NoResult());
        if (Match(key, auth.Value.ApiKeys) is not { } name) return Task.FromResult(AuthenticateResult.Fail("The API key is not valid."));

        var identity = new ClaimsIdentity([new Claim(AuthSchemes.PrincipalClaim, PrincipalPrefix + name)], Scheme.Name,
            AuthSchemes.PrincipalClaim, ClaimTypes.Role);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.Append(HeaderNames.WWWAuthenticate, "Bearer");
        return Task.CompletedTask;
    }

    /// <summary>The name of the entry whose hash is the key's, comparing every entry in constant time; null when none is.</summary>
    internal static string? Match(string key, IEnumerable<ApiKeyEntry> entries)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(key));
        string? found = null;
        foreach (var entry in entries)
        {
            var expected = Hash(entry.Sha256);
            if (expected.Length == hash.Length && CryptographicOperations.FixedTimeEquals(hash, expected) && found is null) found = entry.Name;
        }
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
