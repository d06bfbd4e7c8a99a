using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Telemetry;

/// <summary>
/// The <c>Serilog</c> section names its sinks' assemblies for the reader rather than having every dependency scanned
/// (start-up's cost): the sinks Serilog.AspNetCore brings must still be usable without a <c>Using</c>.
/// </summary>
public sealed class LogSinkTests
{
    [Fact]
    public async Task TheLogSectionWritesToAFileWithoutNamingTheFileSinksAssembly()
    {
        var path = Path.Combine(Path.GetTempPath(), $"streamingapi-{Guid.NewGuid():N}.log");
        try
        {
            await using var app = new StreamingApiApplication()
                .With("Serilog:WriteTo:1:Name", "File")
                .With("Serilog:WriteTo:1:Args:path", path);

            using var response = await app.CreateClient().GetAsync("/health/live");

            response.EnsureSuccessStatusCode();
            await Eventually.TrueAsync(() => File.Exists(path) && ReadShared(path).Contains("HTTP GET /health/live responded 200"),
                "the request's line in the log file");
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The file as the sink, which holds it open, lets others read it.</summary>
    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(stream).ReadToEnd();
    }
}
