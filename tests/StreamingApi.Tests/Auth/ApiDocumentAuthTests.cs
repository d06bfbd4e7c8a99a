using System.Net.Http.Json;
using System.Text.Json;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Auth;

/// <summary>The OpenAPI document says how to authenticate exactly when the service asks for it.</summary>
public sealed class ApiDocumentAuthTests
{
    private static async Task<JsonElement> DocumentAsync(StreamingApiApplication app) =>
        await app.CreateSocketClient().GetFromJsonAsync<JsonElement>("/swagger/v1/swagger.json");

    private static JsonElement Operation(JsonElement document, string path, string method) =>
        document.GetProperty("paths").GetProperty(path).GetProperty(method);

    /// <summary>The schemes an operation accepts, each requirement being one way in.</summary>
    private static string[] Schemes(JsonElement operation) => operation.TryGetProperty("security", out var security)
        ? security.EnumerateArray().SelectMany(r => r.EnumerateObject().Select(p => p.Name)).Order().ToArray()
        : [];

    [Fact]
    public async Task WithApiKeysTheDocumentNamesTheSchemesAndTheOperationsThatNeedAPrincipal()
    {
        await using var app = new StreamingApiApplication().WithAliceAndBob();
        var document = await DocumentAsync(app);

        var schemes = document.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal(("http", "bearer"), (schemes.GetProperty("bearer").GetProperty("type").GetString(), schemes.GetProperty("bearer").GetProperty("scheme").GetString()));
        Assert.Equal(("apiKey", "header", "X-Api-Key"), (schemes.GetProperty("apiKey").GetProperty("type").GetString(),
            schemes.GetProperty("apiKey").GetProperty("in").GetString(), schemes.GetProperty("apiKey").GetProperty("name").GetString()));
        Assert.Equal(("apiKey", "query", "ticket"), (schemes.GetProperty("ticket").GetProperty("type").GetString(),
            schemes.GetProperty("ticket").GetProperty("in").GetString(), schemes.GetProperty("ticket").GetProperty("name").GetString()));

        Assert.Equal(["apiKey", "bearer"], Schemes(Operation(document, "/runs", "post")));
        Assert.Equal(["apiKey", "bearer", "ticket"], Schemes(Operation(document, "/stream/text", "get")));
        Assert.Equal(["apiKey", "bearer"], Schemes(Operation(document, "/stream/text", "post"))); // tickets are for GET only
        Assert.Equal(["apiKey", "bearer", "ticket"], Schemes(Operation(document, "/runs/{runId}/events", "get")));
        Assert.Equal(["apiKey", "bearer"], Schemes(Operation(document, "/auth/tickets", "post")));
        Assert.Empty(Schemes(Operation(document, "/auth", "get")));
        Assert.Empty(Schemes(Operation(document, "/usage", "get")));
        Assert.False(document.TryGetProperty("security", out _)); // not every operation needs a principal
    }

    [Fact]
    public async Task WithJwtOnlyTheDocumentOffersBearerAndTicketsButNoApiKeyHeader()
    {
        await using var app = new StreamingApiApplication()
            .With("Auth:Jwt:Authority", "https://issuer.example").With("Auth:Jwt:Audience", "streaming-api");
        var document = await DocumentAsync(app);

        var schemes = document.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal(["bearer", "ticket"], schemes.EnumerateObject().Select(p => p.Name).Order().ToArray());
        Assert.Equal(["bearer"], Schemes(Operation(document, "/runs", "post")));
        Assert.Equal(["bearer", "ticket"], Schemes(Operation(document, "/stream/analysis", "get")));
    }

    [Fact]
    public async Task WithAuthenticationOffTheDocumentClaimsNoneIsNeeded()
    {
        await using var app = new StreamingApiApplication();
        var document = await DocumentAsync(app);

        Assert.False(document.TryGetProperty("components", out var components) && components.TryGetProperty("securitySchemes", out _));
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        foreach (var operation in path.Value.EnumerateObject())
            Assert.Empty(Schemes(operation.Value));
    }
}
