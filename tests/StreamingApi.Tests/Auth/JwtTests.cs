using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Auth;

/// <summary>JWT bearer tokens, through ASP.NET Core's JwtBearer handler, against a loopback OpenID Connect provider.</summary>
public sealed class JwtTests
{
    private const string Audience = "streamingapi";
    private const string Text = "/stream/text?prompt=Explain%20server-sent%20events";

    private static StreamingApiApplication App(OpenIdProvider provider) => new StreamingApiApplication()
        .With("Auth:Jwt:Authority", provider.Issuer)
        .With("Auth:Jwt:Audience", Audience)
        .With("Auth:Jwt:RequireHttpsMetadata", "false");

    private static HttpClient ClientWith(StreamingApiApplication app, string token)
    {
        var client = app.CreateSocketClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    [Fact]
    public async Task AValidTokenStartsARunRecordedForItsSubject()
    {
        await using var provider = await OpenIdProvider.StartAsync();
        await using var app = App(provider);
        var client = ClientWith(app, provider.Token("user-42", Audience));

        var frames = await client.GetFramesAsync(Text);

        Assert.Equal("done", frames[^1].Type);
        Assert.Equal("user-42", (await client.GetRunAsync(frames[0].RunId)).GetProperty("principal").GetString());
    }

    [Fact]
    public async Task TokensWithTheWrongAudienceExpiredUnsignedOrBadlySignedAreRefused()
    {
        await using var provider = await OpenIdProvider.StartAsync();
        await using var app = App(provider);
        using var otherKey = RSA.Create(2048);
        string[] refused =
        [
            provider.Token("user-42", "another-api"),
            provider.Token("user-42", Audience, expires: DateTime.UtcNow.AddHours(-1)),
            provider.UnsignedToken("user-42", Audience),
            provider.Token("user-42", Audience, signingKey: otherKey),
        ];

        foreach (var token in refused)
        {
            using var response = await ClientWith(app, token).GetAsync(Text);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
        }
        Assert.Equal(0, app.Runs.ActiveCount);
    }

    [Fact]
    public async Task KeysAndTokensWorkSideBySide()
    {
        await using var provider = await OpenIdProvider.StartAsync();
        await using var app = App(provider).WithAliceAndBob();

        var byToken = await ClientWith(app, provider.Token("user-42", Audience)).GetFramesAsync(Text);
        var byKey = await app.CreateClientWithKey(TestApiKeys.Alice).GetFramesAsync(Text);
        using var anonymous = await app.CreateSocketClient().GetAsync(Text);

        Assert.Equal(("done", "done"), (byToken[^1].Type, byKey[^1].Type));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }
}
