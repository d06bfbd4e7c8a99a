using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Limits;

/// <summary>How large a request may be: its body (413) and its conversation (400), answered as problem details, never logged as errors.</summary>
public sealed class BodyLimitTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ABodyLargerThanTheLimitIsA413ProblemWithOrWithoutALength(bool withLength)
    {
        await using var app = new StreamingApiApplication().With("Limits:MaxBodyBytes", "1000");
        var client = app.CreateClient();
        var json = JsonSerializer.Serialize(new { agent = "writer", prompt = new string('a', 2000) });
        HttpContent content = withLength
            ? new StringContent(json, Encoding.UTF8, "application/json")
            : new Unsized(json);

        using var response = await client.PostAsync("/runs", content);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0, app.Runs.ActiveCount);
        await Eventually.TrueAsync(() => app.Logs.Events.Any(LogCapture.IsRequestLine), "the request is logged");
        app.AssertNoErrorLogged();
    }

    [Theory]
    [InlineData("/api/chat")]
    [InlineData("/api/agents/writer/ag-ui")]
    public async Task AConversationWithMoreMessagesThanTheLimitIsA400NamingIt(string url)
    {
        await using var app = new StreamingApiApplication().With("Limits:MaxMessages", "3");
        var client = app.CreateClient();
        var messages = Enumerable.Range(0, 5).Select(i => url == "/api/chat"
            ? (object)new { id = $"m{i}", role = "user", parts = new[] { new { type = "text", text = "hi" } } }
            : new { id = $"m{i}", role = "user", content = "hi" }).ToArray();

        using var response = await client.PostAsJsonAsync(url, new { id = "c", threadId = "t", runId = "r", messages });

        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("at most 3 messages (Limits:MaxMessages); it has 5", body);
        app.AssertNoErrorLogged();
    }

    /// <summary>A body sent chunked, without Content-Length.</summary>
    private sealed class Unsized(string json) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) =>
            stream.WriteAsync(Encoding.UTF8.GetBytes(json)).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
