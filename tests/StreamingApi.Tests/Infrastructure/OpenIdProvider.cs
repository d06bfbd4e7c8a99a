using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace StreamingApi.Tests.Infrastructure;

/// <summary>
/// An OpenID Connect provider on a real loopback socket: its discovery document and its JWKS (one RS256 key), and
/// tokens minted with <see cref="JsonWebTokenHandler"/>, valid or wrong in one way each.
/// </summary>
public sealed class OpenIdProvider : IAsyncDisposable
{
    public const string KeyId = "test-key";

    private readonly WebApplication _app;
    private readonly RSA _key = RSA.Create(2048);

    private OpenIdProvider()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = Issuer,
            ["jwks_uri"] = $"{Issuer}/jwks",
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
        }));
        _app.MapGet("/jwks", () =>
        {
            var parameters = _key.ExportParameters(includePrivateParameters: false);
            return Results.Json(new
            {
                keys = new[]
                {
                    new
                    {
                        kty = "RSA", use = "sig", alg = "RS256", kid = KeyId,
                        n = Base64UrlEncoder.Encode(parameters.Modulus), e = Base64UrlEncoder.Encode(parameters.Exponent),
                    },
                },
            });
        });
    }

    /// <summary>The authority (issuer): <c>http://127.0.0.1:port</c>.</summary>
    public string Issuer => _app.Urls.Single().TrimEnd('/');

    public static async Task<OpenIdProvider> StartAsync()
    {
        var provider = new OpenIdProvider();
        await provider._app.StartAsync();
        return provider;
    }

    /// <summary>A token for <paramref name="subject"/>, signed with the provider's key unless <paramref name="signingKey"/> is another.</summary>
    public string Token(string subject, string audience, DateTime? expires = null, RSA? signingKey = null)
    {
        var now = DateTime.UtcNow;
        var expiry = expires ?? now.AddMinutes(10);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = audience,
            Subject = new ClaimsIdentity([new Claim("sub", subject)]),
            IssuedAt = expiry.AddMinutes(-20),
            NotBefore = expiry.AddMinutes(-20),
            Expires = expiry,
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(signingKey ?? _key) { KeyId = KeyId }, SecurityAlgorithms.RsaSha256),
        });
    }

    /// <summary>An unsigned token (<c>alg: none</c>) with valid claims otherwise.</summary>
    public string UnsignedToken(string subject, string audience)
    {
        var expires = DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeSeconds();
        var header = Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT"}""");
        var payload = Base64UrlEncoder.Encode(
            $$"""{"iss":"{{Issuer}}","aud":"{{audience}}","sub":"{{subject}}","nbf":{{expires - 1200}},"iat":{{expires - 1200}},"exp":{{expires}}}""");
        return $"{header}.{payload}.";
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _key.Dispose();
    }
}
