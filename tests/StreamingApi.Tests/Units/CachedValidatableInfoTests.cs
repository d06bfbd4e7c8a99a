using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Validation;
using StreamingApi.Problems;
using StreamingApi.Streaming;

namespace StreamingApi.Tests.Units;

public sealed class CachedValidatableInfoTests
{
    private static ValidationOptions Options() =>
        new ServiceCollection().AddProblemResponses().BuildServiceProvider().GetRequiredService<IOptions<ValidationOptions>>().Value;

    [Fact]
    public void AStreamsParametersAreDescribedOnceAndTheSameDescriptionServesEveryRequest()
    {
        var options = Options();

        Assert.IsType<CachedValidatableInfo>(Assert.Single(options.Resolvers));
        Assert.True(options.TryGetValidatableTypeInfo(typeof(StreamRequest), out var first));
        Assert.True(options.TryGetValidatableTypeInfo(typeof(StreamRequest), out var second));
        Assert.Same(first, second);
        Assert.False(options.TryGetValidatableTypeInfo(typeof(Uri), out _));
    }

    [Fact]
    public async Task TheKeptDescriptionStillFindsEveryErrorWithItsMessage()
    {
        var options = Options();
        Assert.True(options.TryGetValidatableTypeInfo(typeof(ProgressStreamRequest), out var info));
        var request = new ProgressStreamRequest { Prompt = null, MaxSeconds = 0, Every = 0 };
        var context = new ValidateContext { ValidationOptions = options, ValidationContext = new ValidationContext(request) };

        await info.ValidateAsync(request, context, CancellationToken.None);
        await info.ValidateAsync(request, context, CancellationToken.None); // the kept description, asked again

        Assert.NotNull(context.ValidationErrors);
        Assert.Equal(["Every", "MaxSeconds", "Prompt"], context.ValidationErrors.Keys.Order());
        Assert.Contains("required", Assert.Single(context.ValidationErrors["Prompt"]), StringComparison.OrdinalIgnoreCase);
    }
}
