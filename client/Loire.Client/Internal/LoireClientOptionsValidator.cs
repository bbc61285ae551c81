using Microsoft.Extensions.Options;

namespace Loire.Client.Internal;

/// <summary>Validates the options of a gateway client when the host starts, so a bad gateway list fails startup, not the first send.</summary>
internal sealed class LoireClientOptionsValidator : IValidateOptions<LoireClientOptions>
{
    public ValidateOptionsResult Validate(string? name, LoireClientOptions options)
    {
        try
        {
            var copy = options.Clone();
            copy.Validate();
            copy.ParseGateways();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException exception)
        {
            return ValidateOptionsResult.Fail(exception.Message);
        }
    }
}
