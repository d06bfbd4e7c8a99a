using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Events;
using StreamingApi.Runs;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Streams;

/// <summary>The other side of <see cref="BadInputTests.BadInputIsLoggedAsWhatTheClientGotNeverAsAnError"/>: what is ours stays visible.</summary>
public sealed class RequestLogTests
{
    [Fact]
    public async Task AFailureOfOursIsLoggedAsA500ErrorWithItsStackTraceOnce()
    {
        await using var app = new StreamingApiApplication()
            .WithServices(services => services.AddSingleton<IRunStore>(new FailingRunStore(new InvalidOperationException("The store is broken."))));

        using var response = await app.CreateClient().GetAsync("/runs/0123456789abcdef");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var line = await app.Logs.WaitForAsync(LogCapture.IsRequestLine);
        Assert.Equal("500", LogCapture.Scalar(line, "StatusCode"));
        Assert.Equal(LogEventLevel.Error, line.Level);
        var failure = Assert.Single(app.Logs.Events, e => e.Exception is not null);
        Assert.Equal(LogEventLevel.Error, failure.Level);
        Assert.Equal("The store is broken.", Assert.IsType<InvalidOperationException>(failure.Exception).Message);
    }

    [Fact]
    public async Task ARunStoreOutOfReachIsLoggedAsThe503ItAnswersNotAsA500()
    {
        await using var app = new StreamingApiApplication()
            .WithServices(services => services.AddSingleton<IRunStore>(new FailingRunStore(new RunStoreUnavailableException("The run store is out of reach."))));

        using var response = await app.CreateClient().GetAsync("/stream/text?prompt=hi");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("2", response.Headers.RetryAfter?.ToString());
        var line = await app.Logs.WaitForAsync(LogCapture.IsRequestLine);
        Assert.Equal("503", LogCapture.Scalar(line, "StatusCode"));
        Assert.Equal(LogEventLevel.Information, line.Level);
        Assert.DoesNotContain(app.Logs.Events, e => e.Level >= LogEventLevel.Error || e.Exception is not null);
    }
}
