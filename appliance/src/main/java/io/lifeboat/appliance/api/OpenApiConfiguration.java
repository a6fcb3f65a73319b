package io.lifeboat.appliance.api;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The OpenAPI description served at {@code /v3/api-docs} (UI at {@code /swagger-ui.html}); both
 * need a user like the rest of the API. It declares HTTP Basic for every operation, so the UI's
 * "Authorize" button and generated clients know how to log in.
 */
@Configuration
class OpenApiConfiguration {

    static final String BASIC = "basic";

    @Bean
    OpenAPI lifeboatOpenApi() {
        return new OpenAPI()
                .info(new Info().title("Lifeboat API").version("v1")
                        .description("VMs, backups, restore points and jobs of a Lifeboat appliance. Errors are RFC 9457"
                                + " problem details (application/problem+json)."))
                .components(new Components().addSecuritySchemes(BASIC,
                        new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("basic")))
                .addSecurityItem(new SecurityRequirement().addList(BASIC));
    }
}
