using StreamingApi.Agents;
using StreamingApi.Models;
using StreamingApi.Observability;
using StreamingApi.OpenApi;
using StreamingApi.Problems;
using StreamingApi.Streaming;

var builder = WebApplication.CreateBuilder(args);

builder.AddStructuredLogging();
builder.Services.AddChatModel();
builder.Services.AddAgents();
builder.Services.AddStreaming();
builder.Services.AddProblemResponses();
builder.Services.AddApiDocumentation();
builder.Services.AddServiceMetrics();
builder.Services.AddHealthChecks();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseRequestLogging();
app.UseDefaultFiles();
app.UseStaticFiles();
app.UseApiDocumentation();

app.MapStreams();
app.MapAgentApi();
app.MapHealthChecks("/health");
app.MapServiceMetrics();

return app.RunOrExplain();
