using Microsoft.OpenApi;

namespace Pipeline.Api.Hosting;

/// <summary>
/// Documents an upload body in the OpenAPI document only. Declaring it with <c>Accepts</c> would make routing refuse
/// other content types with 415, while a mislabelled upload deserves the 400 that names what the bytes really are.
/// </summary>
public static class ImageRequestBody
{
    public static RouteHandlerBuilder AcceptsImages(this RouteHandlerBuilder builder, bool several) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            var binary = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" };
            var file = several
                ? new OpenApiSchema { Type = JsonSchemaType.Array, Items = binary, Description = "One part per image." }
                : binary;
            var id = new OpenApiSchema
            {
                Type = several ? JsonSchemaType.Array : JsonSchemaType.String,
                Items = several ? new OpenApiSchema { Type = JsonSchemaType.String } : null,
                Description = "Your id for the image (one per file, in order); generated when absent.",
            };
            var content = new Dictionary<string, OpenApiMediaType>
            {
                ["multipart/form-data"] = new()
                {
                    Schema = new OpenApiSchema
                    {
                        Type = JsonSchemaType.Object,
                        Properties = new Dictionary<string, IOpenApiSchema> { ["file"] = file, ["id"] = id },
                        Required = new HashSet<string> { "file" },
                    },
                },
            };
            if (!several)
            {
                content["image/*"] = new OpenApiMediaType { Schema = binary };
                content["application/octet-stream"] = new OpenApiMediaType { Schema = binary };
            }

            operation.RequestBody = new OpenApiRequestBody { Required = true, Content = content };
            return Task.CompletedTask;
        });
}
