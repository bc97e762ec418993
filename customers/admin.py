from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from customers.models import Customer, LoginRecord, User


@admin.register(User)
class NetworkUserAdmin(UserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "is_staff", "is_active"]
    show_full_result_count = False


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "vip", "email_verification", "last_login_at", "created_at"]
    list_filter = ["vip", "email_verification"]
    search_fields = ["user__username", "user__email", "user__first_name", "user__last_name"]
    raw_id_fields = ["user"]
    list_select_related = ["user"]
    show_full_result_count = False


@admin.register(LoginRecord)
class LoginRecordAdmin(admin.ModelAdmin):
    list_display = ["customer", "ip", "country_code", "host", "created_at"]
    list_filter = ["country_code"]
    search_fields = ["=ip", "customer__user__email"]
    raw_id_fields = ["customer"]
    list_select_related = ["customer__user"]
    show_full_result_count = False
