using Microsoft.Extensions.Configuration;
using Serilog;
using Serilog.Events;
using StreamingApi.Observability;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Units;

/// <summary>
/// The shipped <c>Serilog</c> section (levels, console sinks) is read without Serilog.Settings.Configuration, with the
/// levels and their reload that reader gives; a section with anything else is left to it.
/// </summary>
public sealed class ConsoleLogSettingsTests
{
    [Fact]
    public void TheShippedSectionIsReadHere()
    {
        var configuration = new ConfigurationBuilder().AddJsonFile(Path.Combine(StreamingApiApplication.RepositoryRoot(), "appsettings.json")).Build();

        Assert.True(ConsoleLogSettings.TryApply(configuration.GetSection("Serilog"), new LoggerConfiguration()));
    }

    [Fact]
    public void LevelsAndOverridesFilterAndFollowAReload()
    {
        var configuration = Configuration(new()
        {
            ["Serilog:MinimumLevel:Default"] = "Information",
            ["Serilog:MinimumLevel:Override:Noisy"] = "Warning",
            ["Serilog:WriteTo:0:Name"] = "Console",
        });
        var capture = new LogCapture();
        var settings = new LoggerConfiguration().WriteTo.Sink(capture);
        Assert.True(ConsoleLogSettings.TryApply(configuration.GetSection("Serilog"), settings));
        using var logger = settings.CreateLogger();

        logger.Debug("hidden");
        logger.Information("shown");
        logger.ForContext(Serilog.Core.Constants.SourceContextPropertyName, "Noisy.Part").Information("hidden too");
        logger.ForContext(Serilog.Core.Constants.SourceContextPropertyName, "Noisy.Part").Warning("shown too");
        Assert.Equal(["shown", "shown too"], capture.Events.Select(e => e.MessageTemplate.Text));

        configuration["Serilog:MinimumLevel:Default"] = "Debug";
        configuration["Serilog:MinimumLevel:Override:Noisy"] = "Error";
        configuration.Reload();
        logger.Debug("shown after reload");
        logger.ForContext(Serilog.Core.Constants.SourceContextPropertyName, "Noisy.Part").Warning("hidden after reload");
        Assert.Equal(["shown", "shown too", "shown after reload"], capture.Events.Select(e => e.MessageTemplate.Text));
    }

    [Theory]
    [InlineData("Serilog:WriteTo:1:Name", "File")]
    [InlineData("Serilog:WriteTo:0:Args:formatter", "Serilog.Formatting.Compact.CompactJsonFormatter, Serilog.Formatting.Compact")]
    [InlineData("Serilog:Enrich:0", "WithMachineName")]
    [InlineData("Serilog:Using:1", "Serilog.Sinks.File")]
    [InlineData("Serilog:MinimumLevel:Default", "verbose")]
    [InlineData("Serilog:MinimumLevel:Override:Noisy", "$switch")]
    [InlineData("Serilog:MinimumLevel:ControlledBy", "$switch")]
    public void AnyOtherSectionIsLeftToSerilogsReader(string key, string value)
    {
        var configuration = Configuration(new()
        {
            ["Serilog:Using:0"] = "Serilog.Sinks.Console",
            ["Serilog:MinimumLevel:Default"] = "Information",
            ["Serilog:WriteTo:0:Name"] = "Console",
            ["Serilog:WriteTo:0:Args:outputTemplate"] = "{Message}",
            [key] = value,
        });

        Assert.False(ConsoleLogSettings.TryApply(configuration.GetSection("Serilog"), new LoggerConfiguration()));
    }

    private static IConfigurationRoot Configuration(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
