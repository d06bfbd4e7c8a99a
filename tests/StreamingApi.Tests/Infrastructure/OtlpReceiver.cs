using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace StreamingApi.Tests.Infrastructure;

/// <summary>
/// An OTLP/HTTP receiver on a loopback port: it takes <c>POST /v1/traces</c> (<c>application/x-protobuf</c>), decodes
/// the spans of each <c>ExportTraceServiceRequest</c> with <see cref="Protobuf"/> and keeps them; metrics and logs are
/// accepted and dropped.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedSpan> _spans = new();

    private OtlpReceiver(WebApplication app) => _app = app;

    public IReadOnlyList<ReceivedSpan> Spans => [.. _spans];

    public Uri Endpoint => new(_app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.MapPost("/v1/traces", async (HttpRequest request) =>
        {
            if (request.ContentType != "application/x-protobuf") return Results.StatusCode(StatusCodes.Status415UnsupportedMediaType);
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            foreach (var span in Decode(body.ToArray())) receiver._spans.Enqueue(span);
            return Results.Bytes([], "application/x-protobuf"); // an empty ExportTraceServiceResponse: all accepted
        });
        app.MapPost("/v1/{signal}", () => Results.Bytes([], "application/x-protobuf"));
        await app.StartAsync();
        return receiver;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    /// <summary>
    /// ExportTraceServiceRequest: resource_spans (1) → ResourceSpans: resource (1) with attributes (1), scope_spans (2)
    /// → ScopeSpans: spans (2) → Span: trace_id (1), span_id (2), parent_span_id (4), name (5), attributes (9).
    /// </summary>
    private static IEnumerable<ReceivedSpan> Decode(byte[] request)
    {
        foreach (var resourceSpans in Protobuf.Fields(request).Where(f => f.Number == 1))
        {
            var fields = Protobuf.Fields(resourceSpans.Bytes).ToList();
            var resource = fields.Where(f => f.Number == 1).Select(f => Attributes(f.Bytes)).FirstOrDefault() ?? [];
            foreach (var scopeSpans in fields.Where(f => f.Number == 2))
            foreach (var span in Protobuf.Fields(scopeSpans.Bytes).Where(f => f.Number == 2))
            {
                var spanFields = Protobuf.Fields(span.Bytes).ToList();
                string Hex(int number) => Convert.ToHexStringLower(spanFields.FirstOrDefault(f => f.Number == number).Bytes.Span);
                yield return new ReceivedSpan(Hex(1), Hex(2), Hex(4),
                    Encoding.UTF8.GetString(spanFields.First(f => f.Number == 5).Bytes.Span),
                    spanFields.Where(f => f.Number == 9).Select(f => Attribute(f.Bytes)).ToDictionary(), resource);
            }
        }
    }

    private static Dictionary<string, string> Attributes(ReadOnlyMemory<byte> message) =>
        Protobuf.Fields(message).Where(f => f.Number == 1).Select(f => Attribute(f.Bytes)).ToDictionary();

    /// <summary>KeyValue: key (1), value (2) → AnyValue: string_value (1), bool_value (2), int_value (3), as text.</summary>
    private static KeyValuePair<string, string> Attribute(ReadOnlyMemory<byte> keyValue)
    {
        var fields = Protobuf.Fields(keyValue).ToList();
        var key = Encoding.UTF8.GetString(fields.First(f => f.Number == 1).Bytes.Span);
        var value = fields.Where(f => f.Number == 2).Select(f => Protobuf.Fields(f.Bytes).FirstOrDefault()).FirstOrDefault();
        var text = value.Number switch
        {
            1 => Encoding.UTF8.GetString(value.Bytes.Span),
            2 => (value.Varint != 0).ToString(),
            3 => ((long)value.Varint).ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => "",
        };
        return new(key, text);
    }
}

/// <summary>A span as it arrived: ids in lower-case hex (empty parent for a root), name, attributes and its resource's.</summary>
public sealed record ReceivedSpan(string TraceId, string SpanId, string ParentSpanId, string Name,
    IReadOnlyDictionary<string, string> Attributes, IReadOnlyDictionary<string, string> Resource);

/// <summary>
/// Just enough of the protobuf wire format to walk a message's fields: each field's number, and its bytes (wire type 2)
/// or its value (varints and fixed widths). Unknown fields are skipped by their wire type, as protobuf says.
/// </summary>
public static class Protobuf
{
    public readonly record struct Field(int Number, int WireType, ulong Varint, ReadOnlyMemory<byte> Bytes);

    public static IEnumerable<Field> Fields(ReadOnlyMemory<byte> message)
    {
        var position = 0;
        while (position < message.Length)
        {
            var tag = ReadVarint(message.Span, ref position);
            var (number, wireType) = ((int)(tag >> 3), (int)(tag & 7));
            switch (wireType)
            {
                case 0:
                    yield return new Field(number, wireType, ReadVarint(message.Span, ref position), default);
                    break;
                case 1:
                    yield return new Field(number, wireType, BitConverter.ToUInt64(message.Span.Slice(position, 8)), message.Slice(position, 8));
                    position += 8;
                    break;
                case 2:
                    var length = (int)ReadVarint(message.Span, ref position);
                    yield return new Field(number, wireType, 0, message.Slice(position, length));
                    position += length;
                    break;
                case 5:
                    yield return new Field(number, wireType, BitConverter.ToUInt32(message.Span.Slice(position, 4)), message.Slice(position, 4));
                    position += 4;
                    break;
                default:
                    throw new FormatException($"Wire type {wireType} of field {number} is not one OTLP uses.");
            }
        }
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> bytes, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = bytes[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return value;
        }
    }
}
