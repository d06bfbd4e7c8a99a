using System.Net;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Auth;

/// <summary>Listening beyond loopback without authentication is said once, at Warning; with it, or on loopback, nothing is.</summary>
public sealed class OpenListenerWarningTests
{
    private static bool IsWarning(Serilog.Events.LogEvent e) => e.MessageTemplate.Text.Contains("without authentication", StringComparison.Ordinal);

    [Fact]
    public async Task ListeningOnEveryAddressWithoutAuthenticationLogsAWarning()
    {
        await using var app = new StreamingApiApplication(kestrel: false);
        app.UseKestrel(options => options.Listen(IPAddress.Any, 0));
        _ = app.BaseAddress;

        var warning = await app.Logs.WaitForAsync(IsWarning);

        Assert.Equal(Serilog.Events.LogEventLevel.Warning, warning.Level);
        Assert.StartsWith("http://0.0.0.0:", LogCapture.Scalar(warning, "Address"));
    }

    [Fact]
    public async Task ListeningOnEveryAddressWithKeysOrOnLoopbackWithoutThemLogsNoWarning()
    {
        await using var withKeys = new StreamingApiApplication(kestrel: false).WithAliceAndBob();
        withKeys.UseKestrel(options => options.Listen(IPAddress.Any, 0));
        await using var loopback = new StreamingApiApplication();
        // The warning is written as the server starts (ApplicationStarted), before its address is known here.
        _ = withKeys.BaseAddress;
        _ = loopback.BaseAddress;

        Assert.DoesNotContain(withKeys.Logs.Events, IsWarning);
        Assert.DoesNotContain(loopback.Logs.Events, IsWarning);
    }
}
