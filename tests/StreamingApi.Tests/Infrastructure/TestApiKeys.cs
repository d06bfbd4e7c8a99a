using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace StreamingApi.Tests.Infrastructure;

/// <summary>API keys for tests: each configured as the service expects (its name and SHA-256), and clients that send one.</summary>
public static class TestApiKeys
{
    public const string Alice = "alice-key-0123456789";
    public const string Bob = "bob-key-9876543210";

    public static string Sha256(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>The service accepts Alice's and Bob's keys.</summary>
    public static StreamingApiApplication WithAliceAndBob(this StreamingApiApplication app) => app
        .With("Auth:ApiKeys:0:Name", "alice").With("Auth:ApiKeys:0:Sha256", Sha256(Alice))
        .With("Auth:ApiKeys:1:Name", "bob").With("Auth:ApiKeys:1:Sha256", Sha256(Bob));

    /// <summary>A socket client that sends <paramref name="key"/> as <c>Authorization: Bearer</c>.</summary>
    public static HttpClient CreateClientWithKey(this StreamingApiApplication app, string key)
    {
        var client = app.CreateSocketClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }
}
