using OC.Protocol;
using OC.Protocol.Messages;

namespace OC.Appliance.Accounts;

/// <summary>What a registration and a new password must look like (docs/protocol.md, "REGISTER", "PASSWORD_CHANGE").</summary>
internal static class AccountRules
{
    /// <summary>
    /// Checks <paramref name="r"/>; <paramref name="valid"/> is it with the nickname trimmed, the
    /// form stored (<see cref="TextRules.TryValidateNick"/>, which <c>oc register</c> applies too).
    /// </summary>
    public static bool TryValidate(in Register r, out Register valid, out string error)
    {
        valid = r;
        if (!TextRules.TryValidateNick(r.Nick, out string nick, out error)) return false;
        if (r.Email.Length > 0 && (!r.Email.Contains('@') || r.Email.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))))
            return Fail("the email address is not valid", out error);
        if (!TryValidateVerifier(new PasswordVerifier(r.Salt, r.Iterations, r.StoredKey, r.ServerKey), out error)) return false;
        valid = r with { Nick = nick };
        error = "";
        return true;
    }

    /// <summary>A password's SCRAM verifier, as REGISTER, PASSWORD_CHANGE and ADMIN_SET_PASSWORD carry it.</summary>
    public static bool TryValidateVerifier(in PasswordVerifier v, out string error)
    {
        if (v.Salt.Length < ProtocolLimits.MinSaltBytes) return Fail($"the salt is shorter than {ProtocolLimits.MinSaltBytes} bytes", out error);
        if (v.Iterations < ProtocolLimits.MinIterations || v.Iterations > ProtocolLimits.MaxIterations)
            return Fail($"the iteration count must be {ProtocolLimits.MinIterations}..{ProtocolLimits.MaxIterations}", out error);
        if (v.StoredKey.Length != ProtocolLimits.KeyBytes || v.ServerKey.Length != ProtocolLimits.KeyBytes)
            return Fail($"the keys must be {ProtocolLimits.KeyBytes} bytes", out error);
        error = "";
        return true;
    }

    private static bool Fail(string message, out string error)
    {
        error = message;
        return false;
    }
}
