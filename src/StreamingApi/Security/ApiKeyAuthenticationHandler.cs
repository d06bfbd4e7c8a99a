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
    ApiKeyList keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string PrincipalPrefix = "apikey:";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers[AuthSchemes.ApiKeyHeader];
        var key = header is not null ? header.AsSpan() : SchemeSelector.BearerTokenOf(Request);
        if (key.IsEmpty) return Task.FromResult(AuthenticateResult.NoResult());
        return keys.AuthenticationOf(key) ?? Task.FromResult(AuthenticateResult.Fail("The API key is not valid."));
    }

    /// <summary>The scheme has no events: one object stands for them, rather than one made by each request's handler.</summary>
    protected override Task<object> CreateEventsAsync() => NoEvents;

    private static readonly Task<object> NoEvents = Task.FromResult(new object());

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.Append(HeaderNames.WWWAuthenticate, "Bearer");
        return Task.CompletedTask;
    }
}
